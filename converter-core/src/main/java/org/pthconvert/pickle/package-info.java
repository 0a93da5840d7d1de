/**
 * The inert values a pickle becomes ({@link org.pthconvert.pickle.PickleValue}: Python data, globals
 * by name, objects as class name plus state, and {@code PHookValue}s a hook built), how they print
 * ({@link org.pthconvert.pickle.PickleRepr}, any depth without recursion), how dict keys compare
 * ({@link org.pthconvert.pickle.DictKey}, depth-bounded) and the limits on reading one
 * ({@link org.pthconvert.pickle.PickleLimits}). This is the API half; the interpreter that builds
 * these values lives in {@code org.pthconvert.pickle.reader}, which the module does not export.
 * Nothing here knows of tensors: torch's values are {@code org.pthconvert.torch}'s.
 */
package org.pthconvert.pickle;
