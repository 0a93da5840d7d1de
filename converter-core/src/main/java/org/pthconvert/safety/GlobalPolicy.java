package org.pthconvert.safety;

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
    private static final Set<String> CODE_MODULES = Set.of(
            "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi", "pty", "runpy", "pickle", "_pickle",
            "cPickle", "marshal", "ctypes", "importlib", "imp", "zipimport", "code", "codeop", "pdb", "bdb",
            "timeit", "profile", "cProfile", "trace", "shutil", "socket", "webbrowser", "sys", "multiprocessing",
            "asyncio", "_thread", "threading", "signal", "dill", "joblib", "cloudpickle", "torch.hub",
            "torch._dynamo", "torch.package", "torch.utils.cpp_extension", "pydoc", "doctest", "ensurepip", "venv",
            "pip", "setuptools", "distutils", "platform", "sysconfig", "builtins.__import__");

    /** Single callables that run code, load pickles or reach arbitrary attributes. */
    private static final Set<String> CODE_CALLABLES = Set.of(
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
    private static final Set<String> CODE_NAMES = Set.of(
            "eval", "exec", "compile", "system", "popen", "spawnl", "spawnv", "execv", "execve", "execl", "fork",
            "__import__", "getattr", "setattr", "loads", "load", "_run_code", "run_path", "run_module",
            "check_call", "check_output", "call", "run", "Popen", "getoutput", "getstatusoutput");

    private GlobalPolicy() {
    }

    /**
     * Whether the global {@code module}/{@code name} is a callable that runs code, or may reach one:
     * a protocol 4 dotted name is an attribute path ({@code posixpath} + {@code os.system} is
     * {@code os.system}), so every tail of it is judged as a global of its own.
     */
    public static boolean runsCode(String module, String name) {
        String global = module + "." + name;
        if (CODE_CALLABLES.contains(global) || inCodeModule(global)) {
            return true;
        }
        if (name.indexOf('.') < 0) {
            return false;
        }
        String[] parts = name.split("\\.", -1);
        if (CODE_NAMES.contains(parts[parts.length - 1])) {
            return true;
        }
        for (int i = 0; i < parts.length - 1; i++) {
            String tail = String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length));
            if (CODE_CALLABLES.contains(tail) || inCodeModule(tail) || CODE_CALLABLES.contains("builtins." + tail)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inCodeModule(String global) {
        for (int i = global.lastIndexOf('.'); i > 0; i = global.lastIndexOf('.', i - 1)) {
            // The module or any package above it (os.path is os).
            if (CODE_MODULES.contains(global.substring(0, i))) {
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
