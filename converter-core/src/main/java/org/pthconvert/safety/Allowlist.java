package org.pthconvert.safety;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of globals a checkpoint may name and still be {@code safe}, by exact
 * {@code module.name} (as the unpickler resolves it, after Python 2 name mapping). Nothing is trusted
 * by prefix: a class under {@code torch.} may have a {@code __setstate__} that runs anything. The
 * reader's interpreters ({@code pickle.reader.PlainCalls}, {@code torch.hooks.TorchHooks}) take their lists from
 * here, and {@link GlobalPolicy} judges from here, so the three can no longer disagree.
 */
public final class Allowlist {

    /** What the reader does with a listed global. */
    public enum Role {
        /** Called; the pickle layer builds the plain value it returns (set, bytes, OrderedDict...). */
        PLAIN_CALL(true),
        /** Called; torch's own rebuild machinery, interpreted by the torch layer into tensors. */
        TORCH_CALL(true),
        /** Called; a standard value type (datetime, pathlib, numpy) kept as an inert value. */
        VALUE_CALL(true),
        /** Only named, never called: dtypes, storage and tensor classes, layouts, memory formats. */
        NAMED(false),
        /** A class whose objects are kept inert (NEWOBJ + BUILD state): no behaviour of its own runs. */
        INERT_CLASS(false);

        private final boolean called;

        Role(boolean called) {
            this.called = called;
        }

        /** Whether the reader evaluates a call to a global of this role. */
        public boolean called() { return called; }
    }

    // One line per module: role, module, names. Builtins are listed by their Python 3 name only:
    // the unpickler maps protocol 0-2's __builtin__ / copy_reg / xrange before anything is judged.
    private static final String TABLE = """
            plain builtins set frozenset list tuple dict bytes bytearray complex object slice range
            plain _codecs encode
            plain collections OrderedDict Counter defaultdict
            plain copyreg _reconstructor
            torch torch._utils _rebuild_tensor _rebuild_tensor_v2 _rebuild_tensor_v3 _rebuild_parameter
            torch torch._utils _rebuild_parameter_with_state _rebuild_qtensor _rebuild_sparse_tensor
            torch torch._utils _rebuild_device_tensor_from_cpu_tensor _rebuild_meta_tensor_no_storage
            torch torch._utils _rebuild_wrapper_subclass _rebuild_nested_tensor
            torch torch._tensor _rebuild_from_type_v2
            torch torch Size device
            torch torch.serialization _get_layout
            torch torch.nn.parameter Parameter
            torch torch.jit._pickle build_intlist build_tensorlist build_doublelist build_boollist
            torch torch.jit._pickle build_tensor_from_id restore_type_tag
            value numpy.core.multiarray _reconstruct scalar
            value numpy._core.multiarray _reconstruct scalar
            value numpy dtype
            value datetime datetime date time timedelta
            value pathlib PosixPath WindowsPath PurePosixPath PureWindowsPath
            value decimal Decimal
            inert torch Tensor
            inert torch.nn.parameter Buffer
            inert numpy ndarray
            inert argparse Namespace
            inert types SimpleNamespace
            inert uuid UUID
            named torch UntypedStorage
            named torch float32 float64 float16 bfloat16 complex32 complex64 complex128 bool
            named torch uint8 uint16 uint32 uint64 int8 int16 int32 int64 qint8 quint8 qint32 quint4x2 quint2x4
            named torch float8_e4m3fn float8_e4m3fnuz float8_e5m2 float8_e5m2fnuz float8_e8m0fnu float4_e2m1fn_x2
            named torch bits1x8 bits2x4 bits4x2 bits8 bits16
            named torch uint1 uint2 uint3 uint4 uint5 uint6 uint7 int1 int2 int3 int4 int5 int6 int7
            named torch per_tensor_affine per_tensor_symmetric per_channel_affine per_channel_symmetric
            named torch per_channel_affine_float_qparams
            named torch BFloat16Storage BFloat16Tensor BoolStorage BoolTensor ByteStorage ByteTensor CharStorage CharTensor ComplexDoubleStorage ComplexFloatStorage DoubleStorage DoubleTensor FloatStorage FloatTensor HalfStorage HalfTensor IntStorage IntTensor LongStorage LongTensor QInt32Storage QInt8Storage QUInt2x4Storage QUInt4x2Storage QUInt8Storage ShortStorage ShortTensor bfloat16 bits16 bits1x8 bits2x4 bits4x2 bits8 bool complex128 complex32 complex64 float16 float32 float4_e2m1fn_x2 float64 float8_e4m3fn float8_e4m3fnuz float8_e5m2 float8_e5m2fnuz float8_e8m0fnu int1 int16 int2 int3 int32 int4 int5 int6 int64 int7 int8 per_channel_affine per_channel_affine_float_qparams per_channel_symmetric per_tensor_affine per_tensor_symmetric qint32 qint8 quint2x4 quint4x2 quint8 uint1 uint16 uint2 uint3 uint32 uint4 uint5 uint6 uint64 uint7 uint8 _mkldnn jagged sparse_bsc sparse_bsr sparse_coo sparse_csc sparse_csr strided channels_last channels_last_3d contiguous_format legacy_contiguous_format preserve_format
            named torch.cuda BFloat16Storage BFloat16Tensor BoolStorage BoolTensor ByteStorage ByteTensor CharStorage CharTensor ComplexDoubleStorage ComplexFloatStorage DoubleStorage DoubleTensor FloatStorage FloatTensor HalfStorage HalfTensor IntStorage IntTensor LongStorage LongTensor ShortStorage ShortTensor
            named torch.cuda.sparse BFloat16Tensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor LongTensor ShortTensor
            named torch.sparse BFloat16Tensor ByteTensor CharTensor DoubleTensor FloatTensor HalfTensor IntTensor LongTensor ShortTensor
            named torch.storage TypedStorage UntypedStorage
            """;

    private static final Map<String, Role> ROLES;
    private static final Map<Role, Set<String>> BY_ROLE = new EnumMap<>(Role.class);

    static {
        Map<String, Role> m = new HashMap<>();
        for (String line : TABLE.strip().split("\n")) {
            String[] f = words(line);
            Role role = switch (f[0]) {
                case "plain" -> Role.PLAIN_CALL;
                case "torch" -> Role.TORCH_CALL;
                case "value" -> Role.VALUE_CALL;
                case "named" -> Role.NAMED;
                case "inert" -> Role.INERT_CLASS;
                default -> throw new IllegalStateException("allowlist role " + f[0]);
            };
            for (int i = 2; i < f.length; i++) {
                Role before = m.put(f[1] + "." + f[i], role);
                if (before != null && before != role) {
                    throw new IllegalStateException("allowlist names " + f[1] + "." + f[i] + " twice");
                }
            }
        }
        ROLES = Map.copyOf(m);
        for (Role r : Role.values()) {
            Set<String> s = new LinkedHashSet<>();
            for (Map.Entry<String, Role> e : ROLES.entrySet()) {
                if (e.getValue() == r) {
                    s.add(e.getKey());
                }
            }
            BY_ROLE.put(r, Collections.unmodifiableSet(s));
        }
    }

    private Allowlist() {
    }

    /**
     * The line's words, split at spaces: by hand, since a regular expression here would be compiled
     * at the start of every command that reads a checkpoint (a few milliseconds each).
     */
    private static String[] words(String line) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !Character.isWhitespace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
        return out.toArray(new String[0]);
    }

    /** The role of {@code qualified} ({@code module.name}), if it is on the list. */
    public static Optional<Role> role(String qualified) {
        return Optional.ofNullable(ROLES.get(qualified));
    }

    /** {@link #role}, or {@code orElse} when it is not listed: for the unpickler's per-call path, no Optional. */
    public static Role role(String qualified, Role orElse) {
        return ROLES.getOrDefault(qualified, orElse);
    }

    /** Every listed global of one role. */
    public static Set<String> names(Role role) {
        return BY_ROLE.get(role);
    }

    /** Every listed global. */
    public static Set<String> all() {
        return ROLES.keySet();
    }
}
