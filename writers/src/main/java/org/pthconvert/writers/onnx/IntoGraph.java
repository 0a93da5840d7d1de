package org.pthconvert.writers.onnx;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.ExtensionRegistryLite;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import org.pthconvert.errors.CheckpointException;
import org.pthconvert.errors.CheckpointException.Reason;
import org.pthconvert.tensor.TensorSpec;
import org.pthconvert.writers.WritePlan;
import org.pthconvert.writers.onnx.proto.Onnx.AttributeProto;
import org.pthconvert.writers.onnx.proto.Onnx.GraphProto;
import org.pthconvert.writers.onnx.proto.Onnx.ModelProto;
import org.pthconvert.writers.onnx.proto.Onnx.NodeProto;
import org.pthconvert.writers.onnx.proto.Onnx.SparseTensorProto;
import org.pthconvert.writers.onnx.proto.Onnx.TensorProto;

/**
 * An existing ONNX model whose initializers {@code --into} replaces. Names are matched exactly and
 * nothing else: exported graphs often call a weight {@code onnx::MatMul_123} or hold a
 * constant-folded transpose of it, and guessing would silently load wrong weights.
 *
 * <p>Memory: the model is memory-mapped and parsed with aliasing, so the inline {@code raw_data}
 * of its initializers stays in the page cache as views of the mapping instead of being copied onto
 * the heap; only the messages' structure is on the heap. Protobuf caps the model file at 2 GiB;
 * bigger weights live in external data, which is never read here but copied file to file.
 */
final class IntoGraph {

    private static final int MAX_LISTED = 20;

    private final Path file;
    private final ModelProto model;

    private IntoGraph(Path file, ModelProto model) {
        this.file = file;
        this.model = model;
    }

    /** What replacing the checkpoint's tensors gives: the output's parts and what did not match. */
    record Match(ModelProto model, GraphProto graph, List<Draft> drafts, List<String> unusedTensors,
                 List<String> keptInitializers, boolean hasExternal) {
    }

    static IntoGraph read(Path file) throws IOException, CheckpointException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Framing.MAX_MESSAGE) {
                throw CheckpointException.invalid(file, "is " + size + " bytes; an ONNX model file is under 2 GiB"
                        + " (bigger weights are external data)");
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            CodedInputStream in = UnsafeByteOperations.unsafeWrap(map).newCodedInput();
            in.enableAliasing(true);
            ModelProto m = ModelProto.parseFrom(in, ExtensionRegistryLite.getEmptyRegistry());
            if (!m.hasGraph()) {
                throw CheckpointException.invalid(file, "is not an ONNX model: it has no graph");
            }
            return new IntoGraph(file, m);
        } catch (InvalidProtocolBufferException e) {
            throw CheckpointException.of(Reason.INVALID, "is not an ONNX model: " + e.getMessage()).inFile(file).causedBy(e);
        }
    }

    ModelProto model() {
        return model;
    }

    /**
     * Pairs checkpoint tensors with initializers by name.
     *
     * @throws CheckpointException naming every initializer whose dims or data type differ from its
     *                             tensor; with {@code strict}, naming every unmatched name
     */
    Match match(WritePlan plan, Map<String, String> metadata, boolean strict) throws CheckpointException, IOException {
        GraphProto graph = model.getGraph();
        checkNoOtherExternalData(graph);
        Map<String, TensorSpec> byName = new HashMap<>();
        for (TensorSpec s : plan.specs()) {
            byName.put(s.name(), s);
        }
        List<String> mismatches = new ArrayList<>();
        List<Draft> drafts = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        Set<String> used = new HashSet<>();
        boolean hasExternal = false;
        for (TensorProto init : graph.getInitializerList()) {
            TensorSpec s = byName.get(init.getName());
            if (s != null && used.add(s.name())) {
                String why = mismatch(s, init);
                if (why != null) {
                    mismatches.add(why);
                }
                drafts.add(new Draft.Fresh(s, init));
            } else if (init.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                drafts.add(external(init));
                kept.add(init.getName());
                hasExternal = true;
            } else {
                drafts.add(new Draft.Kept(init));
                kept.add(init.getName());
            }
        }
        if (!mismatches.isEmpty()) {
            throw CheckpointException.invalid(file, mismatches.size() + " initializer(s) differ from the"
                    + " checkpoint's tensor of the same name, nothing written: " + String.join("; ", mismatches));
        }
        List<String> unused = new ArrayList<>();
        for (TensorSpec s : plan.specs()) {
            if (!used.contains(s.name())) {
                unused.add(s.name());
            }
        }
        if (strict && (!unused.isEmpty() || !kept.isEmpty())) {
            throw CheckpointException.invalid(file, "--strict: " + unmatched(unused, kept));
        }
        ModelProto.Builder shell = model.toBuilder().clearGraph();
        ModelShell.addMetadata(shell, plan.source(), metadata);
        return new Match(shell.build(), graph.toBuilder().clearInitializer().build(), drafts, unused, kept,
                hasExternal);
    }

    /** Both lists of unmatched names, in words. */
    static String unmatched(List<String> unusedTensors, List<String> keptInitializers) {
        StringBuilder sb = new StringBuilder();
        if (!unusedTensors.isEmpty()) {
            sb.append(unusedTensors.size()).append(" checkpoint tensor(s) match no initializer: ")
                    .append(listed(unusedTensors));
        }
        if (!keptInitializers.isEmpty()) {
            sb.append(sb.length() > 0 ? "; " : "").append(keptInitializers.size())
                    .append(" initializer(s) match no checkpoint tensor and keep their values: ")
                    .append(listed(keptInitializers));
        }
        return sb.toString();
    }

    private static String listed(List<String> names) {
        List<String> shown = names.subList(0, Math.min(MAX_LISTED, names.size()));
        String s = String.join(", ", shown);
        return names.size() > shown.size() ? s + " and " + (names.size() - shown.size()) + " more" : s;
    }

    private static String mismatch(TensorSpec s, TensorProto init) {
        OptionalInt code = OnnxTypes.code(s.dtype());
        long[] dims = init.getDimsList().stream().mapToLong(Long::longValue).toArray();
        boolean sameType = code.isPresent() && code.getAsInt() == init.getDataType();
        boolean sameDims = Arrays.equals(dims, s.shape().toArray());
        if (sameType && sameDims) {
            return null;
        }
        return "'" + s.name() + "' is " + OnnxTypes.describe(init.getDataType()) + " " + Arrays.toString(dims)
                + " in the graph, " + s.dtype() + " " + Arrays.toString(s.shape().toArray()) + " in the checkpoint";
    }

    /** Where an initializer's external data lies, checked against the file it names. */
    private Draft.External external(TensorProto init) throws CheckpointException, IOException {
        String location = null;
        long offset = 0;
        long length = -1;
        for (var e : init.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(init, e.getKey(), e.getValue());
                case "length" -> length = number(init, e.getKey(), e.getValue());
                default -> { }
            }
        }
        if (location == null || location.isEmpty()) {
            throw bad(init, "has external data without a location");
        }
        Path rel = Path.of(location);
        if (rel.isAbsolute() || location.contains("\\") || rel.normalize().startsWith("..")
                || List.of(location.split("/")).contains("..")) {
            throw bad(init, "external data location '" + location + "' leaves the model's folder");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path data = dir.resolve(rel);
        long size;
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.READ)) {
            size = ch.size();
        } catch (IOException e) {
            throw CheckpointException.of(Reason.IO, "cannot read the external data of initializer '" + init.getName() + "': " + e.getMessage()).inFile(data).forTensor(init.getName()).causedBy(e);
        }
        if (length < 0) {
            length = size - offset;
        }
        if (offset > size || length < 0 || Math.addExact(offset, length) > size) {
            throw bad(init, "external data at offset " + offset + ", length " + length + " passes the end of "
                    + location + " (" + size + " bytes)");
        }
        return new Draft.External(init, data, offset, length);
    }

    private long number(TensorProto init, String key, String value) throws CheckpointException {
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                throw bad(init, "external data " + key + " is negative: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw bad(init, "external data " + key + " is not a number: '" + value + "'");
        }
    }

    private CheckpointException bad(TensorProto init, String detail) {
        return CheckpointException.of(Reason.INVALID, "initializer '" + init.getName() + "' " + detail).inFile(file);
    }

    /** External data anywhere but the main graph's dense initializers is not rewritten: refuse it. */
    private void checkNoOtherExternalData(GraphProto graph) throws CheckpointException {
        for (SparseTensorProto s : graph.getSparseInitializerList()) {
            if (isExternal(s)) {
                throw unsupportedExternal("sparse initializer '" + s.getValues().getName() + "'");
            }
        }
        checkNodes(graph);
    }

    private void checkNodes(GraphProto graph) throws CheckpointException {
        for (NodeProto node : graph.getNodeList()) {
            for (AttributeProto a : node.getAttributeList()) {
                String where = "node '" + node.getName() + "' attribute '" + a.getName() + "'";
                boolean ext = (a.hasT() && isExternal(a.getT()))
                        || a.getTensorsList().stream().anyMatch(IntoGraph::isExternal)
                        || (a.hasSparseTensor() && isExternal(a.getSparseTensor()))
                        || a.getSparseTensorsList().stream().anyMatch(IntoGraph::isExternal);
                if (ext) {
                    throw unsupportedExternal(where);
                }
                List<GraphProto> subs = new ArrayList<>(a.getGraphsList());
                if (a.hasG()) {
                    subs.add(a.getG());
                }
                for (GraphProto g : subs) {
                    if (g.getInitializerList().stream().anyMatch(IntoGraph::isExternal)) {
                        throw unsupportedExternal("a subgraph of " + where);
                    }
                    checkNodes(g);
                }
            }
        }
    }

    private static boolean isExternal(TensorProto t) {
        return t.getDataLocation() == TensorProto.DataLocation.EXTERNAL;
    }

    private static boolean isExternal(SparseTensorProto s) {
        return isExternal(s.getValues()) || isExternal(s.getIndices());
    }

    private CheckpointException unsupportedExternal(String where) {
        return CheckpointException.of(Reason.UNSUPPORTED, where
                + " keeps its tensor in external data; --into rewrites the external data of the main"
                + " graph's initializers only").inFile(file);
    }
}
