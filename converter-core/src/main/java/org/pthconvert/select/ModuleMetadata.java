package org.pthconvert.select;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A state dict's {@code _metadata} attribute: for each module prefix ({@code ""}, {@code "bn1"},
 * ...), the plain values torch recorded ({@code {"version": 2}}), which {@code load_state_dict}
 * hands back to modules such as BatchNorm. Kept in insertion order, with prefixes already renamed by
 * the name rules of the conversion.
 *
 * @param modules prefix -> (key -> value); values are {@code Long}, {@code Double}, {@code Boolean},
 *                {@code String} or null
 */
public record ModuleMetadata(Map<String, Map<String, Object>> modules) {

    public static final ModuleMetadata EMPTY = new ModuleMetadata(Map.of());

    public ModuleMetadata {
        Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
        modules.forEach((k, v) -> copy.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
        modules = Collections.unmodifiableMap(copy);
    }

    public boolean isEmpty() {
        return modules.isEmpty();
    }
}
