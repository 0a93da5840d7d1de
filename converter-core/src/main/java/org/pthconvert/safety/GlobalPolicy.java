package org.pthconvert.safety;

import java.util.Set;

/**
 * Classifies the globals a checkpoint pickle names. The reader never imports any of them; this
 * only decides what torch.load would have done, for refusals and for {@code scan}.
 */
public final class GlobalPolicy {

    /** Functions whose calls we interpret as plain data (see TorchHooks): calling them is harmless. */
    private static final Set<String> DATA_CALLS = Set.of(
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor",
            "torch._utils._rebuild_device_tensor_from_cpu_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
            "torch._utils._rebuild_wrapper_subclass", "torch._utils._rebuild_nested_tensor",
            "torch._tensor._rebuild_from_type_v2", "torch._utils._rebuild_xla_tensor",
            "torch.Size", "torch.device", "torch.serialization._get_layout",
            "torch.nn.parameter.Parameter",
            "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist",
            "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
            "torch.jit._pickle.build_tensor_from_id", "torch.jit._pickle.restore_type_tag",
            "collections.OrderedDict", "collections.defaultdict", "collections.Counter",
            "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.complex",
            "builtins.list", "builtins.tuple", "builtins.dict", "builtins.slice", "builtins.range",
            "__builtin__.set", "__builtin__.frozenset", "__builtin__.bytearray", "__builtin__.complex",
            "__builtin__.list", "__builtin__.tuple", "__builtin__.dict", "__builtin__.slice",
            "_codecs.encode", "copyreg._reconstructor", "copy_reg._reconstructor",
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
            "argparse.Namespace", "datetime.datetime", "datetime.date", "datetime.timedelta",
            "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "decimal.Decimal",
            "uuid.UUID");

    /** Classes whose objects are plain records: creating them runs nothing of the user's. */
    private static final Set<String> DATA_CLASSES = Set.of(
            "builtins.object", "__builtin__.object", "argparse.Namespace", "collections.OrderedDict",
            "numpy.ndarray", "numpy.dtype", "torch.Tensor", "torch.nn.parameter.Parameter",
            "torch.nn.parameter.Buffer", "torch.Size", "types.SimpleNamespace", "uuid.UUID",
            "builtins.set", "builtins.frozenset", "builtins.dict", "builtins.list");

    private GlobalPolicy() {
    }

    /** Verdict for calling {@code global}. */
    public static Verdict call(String global) {
        return DATA_CALLS.contains(global) || isEnumLike(global) ? Verdict.SAFE : Verdict.DANGEROUS;
    }

    /** Verdict for creating an object of class {@code global} without calling it (NEWOBJ / BUILD). */
    public static Verdict newObject(String global) {
        if (DATA_CLASSES.contains(global) || global.startsWith("torch.") || global.startsWith("__torch__.")) {
            return Verdict.SAFE;
        }
        return Verdict.IMPORTS_CODE;
    }

    /**
     * Verdict for a bare reference (a global pushed but not yet used). Only the use decides what
     * would run, so a reference is safe unless its module is one that torch's own safe loader bans.
     */
    public static Verdict reference(String global) {
        String module = global.contains(".") ? global.substring(0, global.lastIndexOf('.')) : global;
        return switch (module) {
            case "os", "posix", "nt", "sys", "subprocess", "builtins.eval", "runpy", "socket", "shutil",
                 "pty", "webbrowser", "importlib", "pickle", "marshal", "ctypes" -> Verdict.DANGEROUS;
            default -> global.equals("builtins.eval") || global.equals("builtins.exec")
                    || global.equals("builtins.compile") || global.equals("builtins.getattr")
                    || global.equals("builtins.__import__") || global.equals("builtins.open")
                    || global.equals("__builtin__.eval") || global.equals("__builtin__.getattr")
                    ? Verdict.DANGEROUS : Verdict.SAFE;
        };
    }

    /** Numpy dtype constructors spelled as classes (numpy.dtypes.Float32DType) are data. */
    private static boolean isEnumLike(String global) {
        return global.startsWith("numpy.dtypes.") && global.endsWith("DType");
    }
}
