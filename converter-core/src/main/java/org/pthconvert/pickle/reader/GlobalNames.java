package org.pthconvert.pickle.reader;

import java.util.HashMap;
import java.util.Map;

import org.pthconvert.pickle.PickleValue.PGlobal;

/**
 * The name CPython's unpickler really imports for a GLOBAL: before protocol 3 it applies the
 * Python 2 compatibility tables ({@code fix_imports}, module {@code _compat_pickle}): a pair in the
 * name table is replaced whole, otherwise the module alone is renamed. Judging the spelled name would
 * let {@code commands.check_call} or {@code __builtin__.eval} pass for something harmless. Protocol 4
 * dotted names ({@code posixpath} + {@code os.system}) are kept as they are: the policy judges every
 * attribute path they may reach.
 */
final class GlobalNames {
    /** Module renames, Python 2 name -> Python 3 name. */
    private static final Map<String, String> MODULES = pairs(
            "BaseHTTPServer", "http.server", "CGIHTTPServer", "http.server", "ConfigParser", "configparser",
            "Cookie", "http.cookies", "Dialog", "tkinter.dialog", "DocXMLRPCServer", "xmlrpc.server",
            "FileDialog", "tkinter.filedialog", "HTMLParser", "html.parser", "Queue", "queue",
            "ScrolledText", "tkinter.scrolledtext", "SimpleDialog", "tkinter.simpledialog",
            "SimpleHTTPServer", "http.server", "SimpleXMLRPCServer", "xmlrpc.server", "SocketServer", "socketserver",
            "StringIO", "io", "Tix", "tkinter.tix", "Tkconstants", "tkinter.constants", "Tkdnd", "tkinter.dnd",
            "Tkinter", "tkinter", "UserDict", "collections", "UserList", "collections", "UserString", "collections",
            "__builtin__", "builtins", "_abcoll", "collections.abc", "_elementtree", "xml.etree.ElementTree",
            "_winreg", "winreg", "anydbm", "dbm", "cPickle", "pickle", "cStringIO", "io", "commands", "subprocess",
            "cookielib", "http.cookiejar", "copy_reg", "copyreg", "dbhash", "dbm.bsd", "dbm", "dbm.ndbm",
            "dumbdbm", "dbm.dumb", "dummy_thread", "_dummy_thread", "gdbm", "dbm.gnu", "htmlentitydefs",
            "html.entities", "httplib", "http.client", "markupbase", "_markupbase", "repr", "reprlib",
            "robotparser", "urllib.robotparser", "test.test_support", "test.support", "thread", "_thread",
            "tkColorChooser", "tkinter.colorchooser", "tkCommonDialog", "tkinter.commondialog",
            "tkFileDialog", "tkinter.filedialog", "tkFont", "tkinter.font", "tkMessageBox", "tkinter.messagebox",
            "tkSimpleDialog", "tkinter.simpledialog", "ttk", "tkinter.ttk", "urllib2", "urllib.request",
            "urlparse", "urllib.parse", "whichdb", "dbm", "xmlrpclib", "xmlrpc.client");

    /** Whole-name renames (checked before {@link #MODULES}), {@code module.name} -> {@code module.name}. */
    private static final Map<String, String> NAMES = pairs(
            "__builtin__.xrange", "builtins.range", "__builtin__.reduce", "functools.reduce",
            "__builtin__.intern", "sys.intern", "__builtin__.unichr", "builtins.chr",
            "__builtin__.unicode", "builtins.str", "__builtin__.long", "builtins.int",
            "__builtin__.basestring", "builtins.str",
            "itertools.izip", "builtins.zip", "itertools.imap", "builtins.map", "itertools.ifilter", "builtins.filter",
            "itertools.ifilterfalse", "itertools.filterfalse", "itertools.izip_longest", "itertools.zip_longest",
            "UserDict.IterableUserDict", "collections.UserDict", "UserDict.UserDict", "collections.UserDict",
            "UserList.UserList", "collections.UserList", "UserString.UserString", "collections.UserString",
            "whichdb.whichdb", "dbm.whichdb", "_socket.fromfd", "socket.fromfd", "socket._socketobject",
            "socket.SocketType", "_multiprocessing.Connection", "multiprocessing.connection.Connection",
            "multiprocessing.process.Process", "multiprocessing.context.Process",
            "multiprocessing.forking.Popen", "multiprocessing.popen_fork.Popen",
            "multiprocessing.AuthenticationError", "multiprocessing.context.AuthenticationError",
            "multiprocessing.BufferTooShort", "multiprocessing.context.BufferTooShort",
            "multiprocessing.ProcessError", "multiprocessing.context.ProcessError",
            "multiprocessing.TimeoutError", "multiprocessing.context.TimeoutError",
            "urllib.ContentTooShortError", "urllib.error.ContentTooShortError",
            "urllib.getproxies", "urllib.request.getproxies", "urllib.pathname2url", "urllib.request.pathname2url",
            "urllib.quote_plus", "urllib.parse.quote_plus", "urllib.quote", "urllib.parse.quote",
            "urllib.unquote_plus", "urllib.parse.unquote_plus", "urllib.unquote", "urllib.parse.unquote",
            "urllib.url2pathname", "urllib.request.url2pathname", "urllib.urlcleanup", "urllib.request.urlcleanup",
            "urllib.urlencode", "urllib.parse.urlencode", "urllib.urlopen", "urllib.request.urlopen",
            "urllib.urlretrieve", "urllib.request.urlretrieve", "urllib2.HTTPError", "urllib.error.HTTPError",
            "urllib2.URLError", "urllib.error.URLError", "exceptions.StandardError", "builtins.Exception");

    private GlobalNames() {
    }

    /** The global CPython imports for {@code module}/{@code name} under {@code protocol}. */
    static PGlobal resolve(String module, String name, int protocol) {
        if (protocol >= 3) {
            return new PGlobal(module, name);
        }
        return fixImports(module, name);
    }

    /** The Python 2 -> 3 mapping alone (idempotent: no Python 3 name is a key). */
    static PGlobal fixImports(String module, String name) {
        String whole = NAMES.get(module + "." + name);
        if (whole != null) {
            int dot = whole.lastIndexOf('.');
            return new PGlobal(whole.substring(0, dot), whole.substring(dot + 1));
        }
        if (module.equals("exceptions") && isExceptionName(name)) {
            // Python 2's exceptions module: its classes moved to builtins unchanged.
            return new PGlobal("builtins", name);
        }
        String renamed = MODULES.get(module);
        return renamed == null ? new PGlobal(module, name) : new PGlobal(renamed, name);
    }

    private static boolean isExceptionName(String name) {
        return name.endsWith("Error") || name.endsWith("Warning") || switch (name) {
            case "BaseException", "Exception", "GeneratorExit", "KeyboardInterrupt", "StopIteration", "SystemExit" ->
                    true;
            default -> false;
        };
    }

    private static Map<String, String> pairs(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return Map.copyOf(m);
    }
}
