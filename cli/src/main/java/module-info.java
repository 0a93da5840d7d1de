/**
 * The command-line tool. An application: it exports nothing. It runs from the shaded jar on the
 * class path ({@code bin/pthconvert}), where this descriptor is left out of the jar; on the module
 * path it is what keeps the CLI to the exported API of the library modules.
 */
module org.pthconvert.cli {
    requires org.pthconvert.writers;
}
