/**
 * What a pickle would do under torch.load: the allowlist of globals ({@link org.pthconvert.safety.GlobalPolicy}), the audit gathered while reading, and verdicts for {@code scan}.
 */
package org.pthconvert.safety;
