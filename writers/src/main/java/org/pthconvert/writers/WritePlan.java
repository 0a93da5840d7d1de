package org.pthconvert.writers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.pthconvert.tensor.TensorSpec;

/**
 * Everything a session learns before the first byte: every tensor (with its source identity, so
 * tied weights can stay tied), the string metadata to store, and where the tensors came from.
 *
 * @param tensors  in the conversion's order; names are unique
 * @param metadata pairs the conversion made (dedupe's {@code removed: kept}); sessions store them
 *                 merged with the user's ({@link AbstractWriteSession#metadata}); formats without
 *                 metadata ignore both
 * @param source   the input's name, the selection and the state dict's module metadata
 * @param storages the whole source storages behind the tensors' origins, for a session that keeps
 *                 them as they are; {@link SourceStorages#NONE} when the plan is not from a checkpoint
 */
public record WritePlan(List<PlannedTensor> tensors, Map<String, String> metadata, SourceInfo source,
                        SourceStorages storages) {

    public WritePlan {
        tensors = List.copyOf(tensors);
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(storages, "storages");
        Set<String> seen = new HashSet<>(tensors.size() * 4 / 3 + 1);
        for (PlannedTensor t : tensors) {
            if (!seen.add(t.spec().name())) {
                throw new IllegalArgumentException("two tensors are named '" + t.spec().name() + "'");
            }
        }
    }

    /** A plan without access to the source storages. */
    public WritePlan(List<PlannedTensor> tensors, Map<String, String> metadata, SourceInfo source) {
        this(tensors, metadata, source, SourceStorages.NONE);
    }

    /** A plan of plain specs without source identities (tests, generated tensors). */
    public static WritePlan of(List<TensorSpec> specs, Map<String, String> metadata) {
        List<PlannedTensor> planned = new ArrayList<>(specs.size());
        for (TensorSpec s : specs) {
            planned.add(new PlannedTensor(s, null));
        }
        return new WritePlan(planned, metadata, SourceInfo.unknown());
    }

    public List<TensorSpec> specs() {
        List<TensorSpec> out = new ArrayList<>(tensors.size());
        for (PlannedTensor t : tensors) {
            out.add(t.spec());
        }
        return out;
    }

    /**
     * The tensors grouped by identity, in plan order: a group of more than one is a set of names
     * for the same bytes (tied weights); tensors without an origin are groups of one.
     */
    public List<List<PlannedTensor>> tiedGroups() {
        Map<Object, List<PlannedTensor>> groups = new LinkedHashMap<>();
        for (PlannedTensor t : tensors) {
            Object key = t.origin() == null ? new Object()
                    : List.of(t.origin(), t.spec().dtype(), t.spec().shape());
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        List<List<PlannedTensor>> out = new ArrayList<>(groups.size());
        for (List<PlannedTensor> g : groups.values()) {
            out.add(List.copyOf(g));
        }
        return out;
    }
}
