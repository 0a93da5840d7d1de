/**
 * The safe reader. Exported: what writers, the CLI and the Spark job use (opening a checkpoint,
 * its value tree, tensors, selection, dtypes, errors, byte sources, the scan verdicts). Not
 * exported, so nothing outside this module can build or subclass them: the pickle interpreter and
 * its hooks ({@code pickle.reader}), the torch hooks that decide what a pickle may name
 * ({@code torch.hooks}) and the folder inputs with their own hooks ({@code inputs}).
 * {@code ModuleExportsTest} pins this list.
 */
module org.pthconvert.core {
    exports org.pthconvert.archive;
    exports org.pthconvert.dtype;
    exports org.pthconvert.errors;
    exports org.pthconvert.io;
    exports org.pthconvert.model;
    exports org.pthconvert.pickle;
    exports org.pthconvert.safety;
    exports org.pthconvert.select;
    exports org.pthconvert.tensor;
    exports org.pthconvert.torch;
}
