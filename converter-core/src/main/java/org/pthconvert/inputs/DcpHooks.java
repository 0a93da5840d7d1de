package org.pthconvert.inputs;

import java.nio.file.Path;
import java.util.Set;

import org.pthconvert.dtype.Dtype;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.pickle.reader.DataOnlyHooks;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PGlobal;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;
import org.pthconvert.safety.Audit;
import org.pthconvert.safety.GlobalPolicy;
import org.pthconvert.safety.Verdict;

/**
 * Hooks for a DCP {@code .metadata} pickle only: exactly the classes torch.distributed.checkpoint
 * writes there become inert {@link PObject}s, torch dtypes and layouts inert symbols, {@code torch.Size}
 * a tuple. Any other global is refused where it is named, because torch reads this file with plain
 * {@code pickle.load}, which would import and call it. This is deliberately not the allowlist of
 * {@code .pth} files: a .pth naming these classes is judged by the torch layer as before.
 */
final class DcpHooks extends DataOnlyHooks {
    private static final String META = "torch.distributed.checkpoint.metadata.";
    /** Classes made by NEWOBJ (dataclasses; BUILD gives them their fields). */
    private static final Set<String> CLASSES = Set.of(
            META + "Metadata", META + "TensorStorageMetadata", META + "TensorProperties",
            META + "ChunkStorageMetadata", META + "BytesStorageMetadata", META + "MetadataIndex",
            META + "StorageMeta", "torch.distributed.checkpoint.filesystem._StorageInfo");
    /** Calls whose result is kept as an inert symbol or value. */
    private static final Set<String> CALLS = Set.of(
            "torch.Size", "torch.serialization._get_layout", META + "_MEM_FORMAT_ENCODING",
            "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath");
    /** Values named but not called. */
    private static final Set<String> VALUES = Set.of("torch.strided", "torch.sparse_coo", "torch.contiguous_format",
            "torch.channels_last", "torch.preserve_format");

    private final Path file;
    private final Audit audit = new Audit();

    DcpHooks(Path file) {
        this.file = file;
    }

    Audit audit() { return audit; }

    private static boolean allowed(String q) {
        if (CLASSES.contains(q) || CALLS.contains(q) || VALUES.contains(q)) {
            return true;
        }
        return q.startsWith("torch.") && q.indexOf('.', 6) < 0 && Dtype.fromTorchName(q.substring(6)).isPresent();
    }

    @Override
    public void onGlobal(PGlobal global, long offset) throws CheckpointException {
        String q = global.qualified();
        if (allowed(q) || plain(q)) {
            audit.record("global", q, offset, Verdict.SAFE);
            return;
        }
        audit.record("global", q, offset, Verdict.DANGEROUS);
        boolean code = GlobalPolicy.reference(global.module(), global.name()) == Verdict.DANGEROUS || !q.startsWith("torch.");
        throw CheckpointException.of(code ? Reason.DANGEROUS : Reason.UNSUPPORTED, "global " + q + " is not one of torch.distributed.checkpoint's metadata classes; torch would import"
                + (code ? " and run it (pickle.load)" : " it") + ", so the folder is refused").inFile(file).at(".metadata", offset);
    }

    @Override
    public PickleValue call(PickleValue callable, PTuple args, long offset) throws CheckpointException {
        if (callable instanceof PGlobal g) {
            String q = g.qualified();
            if (q.equals("torch.Size")) {
                return args.size() == 1 && args.get(0) instanceof PTuple t ? t : args;
            }
            if (CALLS.contains(q)) {
                return new PSymbol(g, args);
            }
        }
        return super.call(callable, args, offset);
    }

    @Override
    public PickleValue newObject(PickleValue cls, PTuple args, long offset) throws CheckpointException {
        if (cls instanceof PGlobal g && CLASSES.contains(g.qualified())) {
            return new PObject(g, args);
        }
        throw CheckpointException.of(Reason.DANGEROUS, "NEWOBJ of " + cls + ", which is not a torch.distributed.checkpoint metadata class").inFile(file).at(".metadata", offset);
    }

    /** The plain-data constructors every pickle may call (builtins containers, OrderedDict), not copyreg. */
    private boolean plain(String q) {
        return allowedCalls().contains(q) && !q.startsWith("copyreg.") && !q.startsWith("copy_reg.");
    }
}
