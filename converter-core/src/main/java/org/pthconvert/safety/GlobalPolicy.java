package org.pthconvert.safety;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import org.pthconvert.safety.Allowlist.Role;

/**
 * Classifies the globals a checkpoint pickle names, from {@link Allowlist} alone: default-deny. The
 * reader never imports any of them; this only decides what torch.load would have done, for refusals
 * and for {@code scan}. Names arrive resolved as CPython's unpickler resolves them (Python 2 names
 * mapped); a protocol 4 dotted name is judged by every module and attribute path it may reach.
 */
public final class GlobalPolicy {

    /** Modules whose every attribute can run commands, code or load pickles: any reference is dangerous. */
    static final Set<String> CODE_MODULES = Set.of(
            "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi", "pty", "runpy", "pickle", "_pickle",
            "cPickle", "marshal", "ctypes", "importlib", "imp", "zipimport", "code", "codeop", "pdb", "bdb",
            "timeit", "profile", "cProfile", "trace", "shutil", "socket", "webbrowser", "sys", "multiprocessing",
            "asyncio", "_thread", "threading", "signal", "dill", "joblib", "cloudpickle", "torch.hub",
            "torch._dynamo", "torch.package", "torch.utils.cpp_extension", "pydoc", "doctest", "ensurepip", "venv",
            "pip", "setuptools", "distutils", "platform", "sysconfig", "builtins.__import__");

    /** Single callables that run code, load pickles or reach arbitrary attributes. */
    static final Set<String> CODE_CALLABLES = Set.of(
            "builtins.eval", "builtins.exec", "builtins.compile", "builtins.getattr", "builtins.setattr",
            "builtins.delattr", "builtins.__import__", "builtins.open", "builtins.breakpoint", "builtins.input",
            "builtins.globals", "builtins.locals", "builtins.vars", "builtins.help", "builtins.exit",
            "builtins.quit", "builtins.memoryview", "builtins.type", "builtins.super", "builtins.classmethod",
            "builtins.staticmethod", "builtins.property", "builtins.map", "builtins.filter", "builtins.apply",
            "builtins.execfile", "builtins.reload", "builtins.file",
            "functools.partial", "functools.reduce", "functools.partialmethod", "functools.wraps",
            "operator.attrgetter", "operator.methodcaller", "operator.itemgetter", "operator.call",
            "_operator.attrgetter", "_operator.methodcaller", "_operator.itemgetter", "_operator.call",
            "types.FunctionType", "types.CodeType", "types.MethodType", "types.LambdaType", "types.ModuleType",
            "copyreg.__newobj__", "copyreg.__newobj_ex__", "copyreg._reduce_ex",
            "io.open", "_io.open", "io.FileIO", "_io.FileIO", "codecs.open", "tempfile.mktemp",
            "torch.load", "torch.serialization.load", "torch.jit.load", "torch.jit._serialization.load",
            "torch.load_state_dict_from_url", "torch._C._import_ir_module", "torch.ops.load_library",
            "numpy.load", "numpy.loads", "numpy.lib.npyio.load", "numpy.core.multiarray.loads",
            "numpy.testing._private.utils.runstring", "numpy.f2py.diagnose.run_command",
            "pydoc.pipepager", "pydoc.locate", "pkgutil.resolve_name", "site.main", "posixpath.os", "ntpath.os",
            "xmlrpc.client.loads", "shelve.open", "dbm.open", "logging.config.listen",
            "ssl.get_server_certificate", "urllib.request.urlopen",
            "urllib.request.urlretrieve", "http.client.HTTPConnection", "ftplib.FTP", "smtplib.SMTP",
            "imaplib.IMAP4", "telnetlib.Telnet", "uuid._get_command_stdout", "idlelib.pyshell.ModifiedInterpreter",
            "_sitebuiltins._Helper", "_sitebuiltins.Quitter", "ctypes.CDLL");

    /** Attribute names that are the code-running door whatever module they are reached through. */
    static final Set<String> CODE_NAMES = Set.of(
            "eval", "exec", "compile", "system", "popen", "spawnl", "spawnv", "execv", "execve", "execl", "fork",
            "__import__", "getattr", "setattr", "loads", "load", "_run_code", "run_path", "run_module",
            "check_call", "check_output", "call", "run", "Popen", "getoutput", "getstatusoutput");

    // The bounds below keep the judging of a name linear in its length: a name of thousands of dots
    // (a few KiB of pickle) was once taken apart at every dot of every tail, cubic in its length (a
    // fuzzer's mutant of 1.2 KB took 23 s to scan). No string longer than a list's longest entry is
    // made or hashed.
    private static final int LONGEST_MODULE = longest(CODE_MODULES);
    private static final int LONGEST_CALLABLE = longest(CODE_CALLABLES);
    /** The first part of every code module: a path whose first part is not one lies in none. */
    private static final Set<String> MODULE_FIRST_PARTS = firstParts(CODE_MODULES);
    private static final int LONGEST_FIRST_PART = longest(MODULE_FIRST_PARTS);

    private GlobalPolicy() {
    }

    private static Set<String> firstParts(Set<String> modules) {
        HashSet<String> out = new HashSet<>();
        for (String m : modules) {
            int dot = m.indexOf('.');
            out.add(dot < 0 ? m : m.substring(0, dot));
        }
        return Set.copyOf(out);
    }

    private static int longest(Set<String> names) {
        int max = 0;
        for (String n : names) {
            max = Math.max(max, n.length());
        }
        return max;
    }

    /**
     * Whether the global {@code module}/{@code name} is a callable that runs code, or may reach one:
     * a protocol 4 dotted name is an attribute path ({@code posixpath} + {@code os.system} is
     * {@code os.system}), so every tail of it is judged as a global of its own.
     */
    public static boolean runsCode(String module, String name) {
        String global = module + "." + name;
        if (CODE_CALLABLES.contains(global) || inCodeModule(global, 0)) {
            return true;
        }
        int last = name.lastIndexOf('.');
        if (last < 0) {
            return false;
        }
        if (CODE_NAMES.contains(name.substring(last + 1))) {
            return true;
        }
        // Every tail that starts a part: the name's own text from there (not a join of its split parts).
        for (int start = 0; start <= last; start = name.indexOf('.', start) + 1) {
            if (inCodeModule(name, start)) {
                return true;
            }
            if (name.length() - start <= LONGEST_CALLABLE) {
                String tail = name.substring(start);
                if (CODE_CALLABLES.contains(tail) || CODE_CALLABLES.contains("builtins." + tail)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the dotted path starting at {@code from} in {@code s} lies in a code module: the module or
     * any package above it (os.path is os), that is, a prefix of the path ending before one of its dots.
     * At most one short string is made unless the path's first part starts a code module.
     */
    private static boolean inCodeModule(String s, int from) {
        int first = s.indexOf('.', from);
        if (first <= from || first - from > LONGEST_FIRST_PART || !MODULE_FIRST_PARTS.contains(s.substring(from, first))) {
            return false;
        }
        for (int dot = first; dot > from && dot - from <= LONGEST_MODULE; dot = s.indexOf('.', dot + 1)) {
            if (CODE_MODULES.contains(s.substring(from, dot))) {
                return true;
            }
        }
        return false;
    }

    /** Verdict for a bare reference: importing anything off the list runs that module's code. */
    public static Verdict reference(String module, String name) {
        String global = module + "." + name;
        if (runsCode(module, name)) {
            return Verdict.DANGEROUS;
        }
        return Allowlist.role(global).isPresent() ? Verdict.SAFE : Verdict.IMPORTS_CODE;
    }

    /**
     * Verdict for calling {@code global} (REDUCE, INST, OBJ): safe only for what the reader itself
     * evaluates; a listed name that the reader does not evaluate (a dtype, a class kept inert) is not
     * safe but not code either; anything else runs code of the file's choosing.
     */
    public static Verdict call(String module, String name) {
        String global = module + "." + name;
        if (runsCode(module, name)) {
            return Verdict.DANGEROUS;
        }
        Optional<Role> role = Allowlist.role(global);
        if (role.isEmpty()) {
            return Verdict.DANGEROUS;
        }
        return role.get().called() ? Verdict.SAFE : Verdict.IMPORTS_CODE;
    }

    /** Verdict for creating an object of class {@code global} without calling it (NEWOBJ / _reconstructor). */
    public static Verdict newObject(String module, String name) {
        String global = module + "." + name;
        if (runsCode(module, name)) {
            return Verdict.DANGEROUS;
        }
        Optional<Role> role = Allowlist.role(global);
        return role.isPresent() && role.get() != Role.NAMED ? Verdict.SAFE : Verdict.IMPORTS_CODE;
    }
}
