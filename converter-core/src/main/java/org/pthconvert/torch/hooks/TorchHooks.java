package org.pthconvert.torch.hooks;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.reader.DataOnlyHooks;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PDict;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PList;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.torch.PStorage;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.torch.PTensor;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.pickle.PickleLimits;
import org.pthconvert.safety.Allowlist;
import org.pthconvert.safety.Audit;
import org.pthconvert.safety.GlobalPolicy;
import org.pthconvert.safety.Verdict;
import org.pthconvert.tensor.StorageRef;
import org.pthconvert.tensor.StorageTable;

/**
 * Reads torch's pickles: persistent ids become {@link PStorage}s, calls to torch's rebuild
 * functions become {@link PTensor}s, and everything the pickle names is recorded in an
 * {@link Audit}. Nothing is imported or called: a call outside the allowlist, or a reference to a
 * module torch's safe loader bans, is recorded and replaced by an inert {@link PSymbol}, and reading
 * goes on, so that one refusal can name every dangerous global the pickle holds. The owner asks
 * {@link #refusal()} once the pickle has been read, <em>whether or not reading succeeded</em>: a
 * dangerous call placed before corrupt bytes is still reported as dangerous.
 */
public class TorchHooks extends DataOnlyHooks {
    /** Dangerous globals a refusal names; more are counted. */
    private static final int MAX_NAMED = 8;

    private record Danger(String verb, String global, long offset) {
    }

    private final Path file;
    private final String record;
    private final Audit audit = new Audit();
    private final Map<String, StorageRef> storages = new StorageTable();
    private final TensorRebuilder rebuilder;
    /** Dangerous globals met, in order: global -> what it does and where. */
    private final Map<String, Danger> dangers = new LinkedHashMap<>();
    /** Verdicts by global and use: a state dict names the same few globals once per tensor. */
    private final Map<PGlobal, Verdict> referenceVerdicts = new HashMap<>();
    private final Map<PGlobal, Verdict> callVerdicts = new HashMap<>();
    private final Map<PGlobal, Verdict> newObjectVerdicts = new HashMap<>();
    /** The last two globals {@link #call} met (matched by identity), with their verdict and role. */
    private Judged lastCalled;
    private Judged previousCalled;

    /**
     * A called global with the verdict and role it was given; {@code tensor}: it is
     * {@code _rebuild_tensor} or {@code _rebuild_tensor_v2}, called once per tensor of a state dict.
     */
    private record Judged(PGlobal global, Verdict verdict, Allowlist.Role role, boolean tensor) {
    }

    /** What a pickle does with a global, each judged by its own {@link GlobalPolicy} rule. */
    private enum Use { REFERENCE, CALL, NEW_OBJECT }
    /** The storage class met last, and its dtype. */
    private PickleValue lastStorageType;
    private Dtype lastStorageDtype;
    /** Legacy storage views by view key, as torch keeps them. */
    private final Map<String, PStorage> legacyViews = new HashMap<>();
    /** The key of the first UntypedStorage the pickle names, or null. */
    private String firstUntyped;

    public TorchHooks(Path file, String record) {
        this(file, record, PickleLimits.DEFAULTS);
    }

    public TorchHooks(Path file, String record, PickleLimits limits) {
        super(limits);
        this.file = file;
        this.record = record;
        this.rebuilder = new TensorRebuilder(file, record);
    }

    public Audit audit() { return audit; }

    /** Tensors that parsed but cannot be read (view past its storage, meta tensor), by identity. */
    public Map<PTensor, TensorRebuilder.Problem> problems() { return rebuilder.problems(); }

    /** Per-channel quantized tensors whose parameter tensors are still to be read. */
    public Map<PTensor, TensorRebuilder.PerChannel> perChannel() { return rebuilder.perChannel(); }

    /** Every storage the pickle named, by key. */
    public Map<String, StorageRef> storages() { return storages; }

    /** The key of the first {@code UntypedStorage} the pickle named, or null when it named none. */
    public String firstUntypedStorage() { return firstUntyped; }

    CheckpointException error(long offset, String detail) {
        return CheckpointException.at(Reason.INVALID, file, record, offset, detail);
    }

    /**
     * The refusal of a file whose pickle would run code, naming every dangerous global met (the
     * first {@value #MAX_NAMED}) with its offset; null when nothing dangerous was met. The error's
     * offset is that of the first one named.
     */
    public CheckpointException refusal() {
        if (dangers.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder("this file would run code when loaded with torch.load: it ");
        int i = 0;
        for (Danger d : dangers.values()) {
            if (i == MAX_NAMED) {
                sb.append(", and ").append(dangers.size() - MAX_NAMED).append(" more");
                break;
            }
            sb.append(i++ > 0 ? ", " : "").append(d.verb()).append(' ').append(d.global())
                    .append(" @0x").append(Long.toHexString(d.offset()));
        }
        return CheckpointException.at(Reason.DANGEROUS, file, record, dangers.values().iterator().next().offset(),
                sb.append("; see `pthconvert scan`").toString());
    }

    /**
     * Records a dangerous reference or call: in the audit, and for {@link #refusal()}. A global
     * that is called is reported where it is called, even if an earlier opcode imported it.
     */
    private void danger(String action, String global, long offset) {
        audit.record(action, global, offset, Verdict.DANGEROUS);
        String verb = action.equals("call") ? "calls" : "imports";
        Danger known = dangers.get(global);
        if (known == null || (verb.equals("calls") && known.verb().equals("imports"))) {
            dangers.put(global, new Danger(verb, global, offset));
        }
    }

    /**
     * The policy's verdict on {@code g} for {@code use}, judged once per global. A switch and get/put
     * rather than computeIfAbsent: no lambda is linked on the start path (README, "Start-up").
     */
    private Verdict verdict(Use use, PGlobal g) {
        Map<PGlobal, Verdict> cache = switch (use) {
            case REFERENCE -> referenceVerdicts;
            case CALL -> callVerdicts;
            case NEW_OBJECT -> newObjectVerdicts;
        };
        Verdict v = cache.get(g);
        if (v == null) {
            v = switch (use) {
                case REFERENCE -> GlobalPolicy.reference(g.module(), g.name());
                case CALL -> GlobalPolicy.call(g.module(), g.name());
                case NEW_OBJECT -> GlobalPolicy.newObject(g.module(), g.name());
            };
            cache.put(g, v);
        }
        return v;
    }

    @Override
    public void onGlobal(PGlobal global, long offset) {
        Verdict v = verdict(Use.REFERENCE, global);
        if (v == Verdict.DANGEROUS) {
            danger("global", global.qualified(), offset);
        } else {
            audit.record("global", global.qualified(), offset, v);
        }
    }

    @Override
    public PickleValue persistentLoad(PickleValue pid, long offset) throws CheckpointException {
        if (pid instanceof PTuple m && m.size() >= 2 && m.get(0) instanceof PStr mtag && "module".equals(mtag.value())) {
            // Legacy whole-model files: ('module', cls, source_file, source); torch.load returns cls.
            return m.get(1);
        }
        if (!(pid instanceof PTuple t) || t.size() < 5 || !(t.get(0) instanceof PStr tag)
                || !"storage".equals(tag.value())) {
            throw error(offset, "persistent id " + describe(pid) + " is not a torch storage reference");
        }
        Dtype dtype = storageDtype(t.get(1), offset);
        if (!(t.get(2) instanceof PStr key)) {
            throw error(offset, "storage key is a " + t.get(2).typeName() + ", not a string");
        }
        String location = t.get(3) instanceof PStr loc ? loc.value() : String.valueOf(t.get(3));
        long numel = rebuilder.nonNegative(t.get(4), "storage size", offset);
        boolean untyped = isUntyped(t.get(1));
        if (untyped && firstUntyped == null) {
            firstUntyped = key.value();
        }
        long bytes;
        try {
            bytes = untyped ? numel : Math.multiplyExact(numel, dtype.byteWidth());
        } catch (ArithmeticException e) {
            throw error(offset, "storage '" + key.value() + "' declares " + numel + " elements: size overflows");
        }
        StorageRef ref = new StorageRef(key.value(), dtype, bytes, location);
        StorageRef known = storages.putIfAbsent(ref.key(), ref);
        if (known != null && (known.byteSize() != ref.byteSize() || known.dtype() != ref.dtype())) {
            throw error(offset, "storage '" + ref.key() + "' is declared twice with different sizes or types ("
                    + known.dtype().torchName() + ", " + known.byteSize() + " bytes, then " + ref.dtype().torchName()
                    + ", " + ref.byteSize() + " bytes)");
        }
        if (t.size() >= 6 && t.get(5) instanceof PTuple view && view.size() == 3) {
            // Legacy format: a view of a root storage, (view_key, offset, size) in elements. torch makes
            // each view key once, from its first id: later ids with that key get the first view.
            long viewOffset = rebuilder.nonNegative(view.get(1), "storage view offset", offset);
            long viewSize = rebuilder.nonNegative(view.get(2), "storage view size", offset);
            String viewKey = view.get(0) instanceof PStr vk ? vk.value() : String.valueOf(view.get(0));
            PStorage first = legacyViews.get(viewKey);
            if (first == null) {
                first = new PStorage(known != null ? known : ref, viewOffset, viewSize);
                legacyViews.put(viewKey, first);
            }
            return first;
        }
        return new PStorage(known != null ? known : ref, 0);
    }

    private static boolean isUntyped(PickleValue type) {
        return type instanceof PGlobal g && g.name().equals("UntypedStorage");
    }

    private Dtype storageDtype(PickleValue type, long offset) throws CheckpointException {
        // A state dict names its storage class once and refers back to it per tensor: the same object.
        if (type == lastStorageType) {
            return lastStorageDtype;
        }
        Dtype d = storageDtypeOf(type, offset);
        lastStorageType = type;
        lastStorageDtype = d;
        return d;
    }

    private Dtype storageDtypeOf(PickleValue type, long offset) throws CheckpointException {
        if (type instanceof PGlobal g && g.module().startsWith("torch")) {
            if (isUntyped(g)) {
                return Dtype.U8;
            }
            var d = Dtype.fromStorageClass(g.name());
            if (d.isPresent()) {
                return d.get();
            }
        }
        throw error(offset, "unknown storage type " + describe(type));
    }

    @Override
    public PickleValue call(PickleValue callable, PTuple args, long offset) throws CheckpointException {
        if (!(callable instanceof PGlobal g)) {
            if (!(callable instanceof PObject || callable instanceof PSymbol)) {
                throw error(offset, "'" + callable.typeName() + "' object is not callable");
            }
            // Calling an instance runs its class's __call__.
            danger("call", "a " + callable.typeName() + " object", offset);
            return new PSymbol(new PGlobal("?", callable.typeName()), args);
        }
        String q = g.qualified();
        // A checkpoint calls one rebuild function per tensor and an OrderedDict for its hooks, each
        // through one memoized global object: their verdict and role are looked up once per object.
        Judged judged;
        if (lastCalled != null && g == lastCalled.global()) {
            judged = lastCalled;
        } else if (previousCalled != null && g == previousCalled.global()) {
            judged = previousCalled;
        } else {
            judged = new Judged(g, verdict(Use.CALL, g), Allowlist.role(q, Allowlist.Role.NAMED),
                    q.equals("torch._utils._rebuild_tensor") || q.equals("torch._utils._rebuild_tensor_v2"));
            previousCalled = lastCalled;
            lastCalled = judged;
        }
        Verdict v = judged.verdict();
        Allowlist.Role role = judged.role();
        if (v == Verdict.DANGEROUS) {
            danger("call", q, offset);
            return new PSymbol(g, args);
        }
        audit.record("call", q, offset, v);
        if (v != Verdict.SAFE || !role.called()) {
            return new PSymbol(g, args); // listed but not evaluated here (a dtype or class called)
        }
        if (role == Allowlist.Role.PLAIN_CALL) {
            return plain(g, args, offset);
        }
        if (judged.tensor()) {
            return rebuilder.tensor(args, null, offset); // the commonest call: its name is compared once, in Judged
        }
        return switch (q) {
            case "torch._utils._rebuild_tensor_v3" -> rebuilder.tensor(args, dtypeArg(args, 6, offset), offset);
            case "torch._utils._rebuild_qtensor" -> rebuilder.qtensor(args, offset);
            case "torch._utils._rebuild_parameter", "torch.nn.parameter.Parameter" -> parameter(args, offset);
            case "torch._utils._rebuild_parameter_with_state" -> withState(parameter(args, offset), args, 3, offset);
            case "torch._tensor._rebuild_from_type_v2" -> fromType(args, offset);
            case "torch._utils._rebuild_device_tensor_from_cpu_tensor" -> rebuilder.first(args, offset);
            case "torch._utils._rebuild_meta_tensor_no_storage" -> rebuilder.metaTensor(args, offset);
            case "torch.Size" -> args.size() == 1 && args.get(0) instanceof PTuple size ? size : args;
            case "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_tensorlist",
                 "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist" -> listOf(args, offset);
            case "torch.jit._pickle.restore_type_tag" -> rebuilder.first(args, offset);
            // numpy values in hyper-parameters: kept as inert objects so that BUILD can give them their
            // state (a dtype's byte order; an array's shape, dtype and raw bytes) for inspect.
            case "numpy.dtype" -> new PObject(g, args);
            case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct" -> numpyArray(g, args, offset);
            default -> new PSymbol(g, args);
        };
    }

    /** {@code _reconstruct(cls, shape, typecode)}: an empty array of {@code cls} that BUILD fills. */
    private PickleValue numpyArray(PGlobal g, PTuple args, long offset) {
        if (args.size() >= 1 && args.get(0) instanceof PGlobal cls) {
            audit.record("new", cls.qualified(), offset, GlobalPolicy.newObject(cls.module(), cls.name()));
            return new PObject(cls, args);
        }
        return new PSymbol(g, args);
    }

    /**
     * An allowlisted plain-data call; one the base class finds dangerous after all is recorded as such.
     * {@code copyreg._reconstructor(cls, base, state)} makes an object of {@code cls} without its code.
     */
    private PickleValue plain(PGlobal g, PTuple args, long offset) throws CheckpointException {
        if (g.qualified().equals("copyreg._reconstructor") && args.size() >= 1 && args.get(0) instanceof PGlobal cls) {
            audit.record("new", cls.qualified(), offset, GlobalPolicy.newObject(cls.module(), cls.name()));
        }
        try {
            return super.call(g, args, offset);
        } catch (CheckpointException e) {
            if (e.reason() != Reason.DANGEROUS) {
                throw e;
            }
            String base = args.size() == 3 && args.get(1) instanceof PGlobal b ? " with base " + b.qualified() : "";
            danger("call", g.qualified() + base, offset);
            return new PSymbol(g, args);
        }
    }

    private Dtype dtypeArg(PTuple args, int index, long offset) throws CheckpointException {
        if (args.size() > index && args.get(index) instanceof PGlobal g && g.module().equals("torch")) {
            var d = Dtype.fromTorchName(g.name());
            if (d.isPresent()) {
                return d.get();
            }
        }
        throw error(offset, "_rebuild_tensor_v3 without a known dtype at argument " + index);
    }

    private PickleValue parameter(PTuple args, long offset) throws CheckpointException {
        PickleValue data = rebuilder.first(args, offset);
        if (data instanceof PTensor t) {
            boolean grad = args.size() > 1 && args.get(1) instanceof PickleValue.PBool b && b.value();
            return t.as("parameter", grad);
        }
        return data;
    }

    private PickleValue fromType(PTuple args, long offset) throws CheckpointException {
        if (args.size() < 3 || !(args.get(2) instanceof PTuple inner)) {
            throw error(offset, "_rebuild_from_type_v2 expects (func, type, args, state)");
        }
        if (args.get(1) instanceof PGlobal type) {
            audit.record("new", type.qualified(), offset, GlobalPolicy.newObject(type.module(), type.name()));
        }
        PickleValue made = call(args.get(0), inner, offset);
        if (made instanceof PTensor t && args.get(1) instanceof PGlobal type
                && type.name().equals("Parameter")) {
            made = t.as("parameter", t.requiresGrad());
        }
        return withState(made, args, 3, offset);
    }

    private PickleValue listOf(PTuple args, long offset) throws CheckpointException {
        PList out = new PList();
        if (args.size() == 1 && args.get(0) instanceof PList in) {
            chargeCopy(in, offset);
            out.items().addAll(in.items());
        }
        return out;
    }

    /**
     * torch's {@code _set_obj_state}: the state argument of {@code _rebuild_from_type_v2} and
     * {@code _rebuild_parameter_with_state} becomes Python attributes of the tensor, as BUILD's would.
     */
    private PickleValue withState(PickleValue made, PTuple args, int index, long offset) throws CheckpointException {
        if (args.size() > index) {
            checkState(made, args.get(index), offset);
        }
        return made;
    }

    @Override
    protected void unusual(String action, String what, long offset) {
        audit.record(action, what, offset, Verdict.IMPORTS_CODE);
    }

    @Override
    protected boolean isNamedOnly(PickleValue v) {
        return v instanceof PGlobal g && Allowlist.role(g.qualified()).orElse(null) == Allowlist.Role.NAMED;
    }

    /** APPEND/SETITEM on an object: the method of a class off the list is that class's code. */
    @Override
    public void mutate(PickleValue target, String method, PTuple args, long offset) throws CheckpointException {
        if (target instanceof PObject obj) {
            PGlobal cls = obj.type();
            Verdict v = GlobalPolicy.newObject(cls.module(), cls.name()) == Verdict.SAFE ? Verdict.SAFE
                    : Verdict.IMPORTS_CODE;
            audit.record("call", cls.qualified() + "." + method, offset, v);
        }
        super.mutate(target, method, args, offset);
    }

    @Override
    public PickleValue newObject(PickleValue cls, PTuple args, long offset) throws CheckpointException {
        if (cls instanceof PGlobal g) {
            audit.record("new", g.qualified(), offset, verdict(Use.NEW_OBJECT, g));
            return new PObject(g, args);
        }
        throw error(offset, "NEWOBJ on a " + cls.typeName() + ", not a class");
    }

    @Override
    public PickleValue build(PickleValue target, PickleValue state, long offset) throws CheckpointException {
        if (target instanceof PTensor || target instanceof PSymbol) {
            // Python attributes on a tensor (or state of a value kept by name): nothing to keep, but
            // what they plant is judged as for any object.
            PickleValue setstate = plantedOn(target, "__setstate__");
            if (setstate != null) {
                call(setstate, new PTuple(List.of(state)), offset);
                return target;
            }
            checkState(target, state, offset);
            return target;
        }
        return super.build(target, state, offset);
    }

    /** A string from the file cut short: an id may carry a class's whole source. */
    private static String shortText(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    static String describe(PickleValue v) {
        if (v instanceof PTuple t) {
            StringBuilder sb = new StringBuilder("(");
            List<PickleValue> items = t.items();
            for (int i = 0; i < Math.min(items.size(), 6); i++) {
                sb.append(i > 0 ? ", " : "").append(items.get(i) instanceof PStr s ? "'" + shortText(s.value()) + "'"
                        : items.get(i));
            }
            return sb.append(items.size() > 6 ? ", ...)" : ")").toString();
        }
        return v instanceof PInt i ? i.toString() : String.valueOf(v);
    }
}
