/**
 * What a pickle would do under torch.load: the one allowlist of globals ({@link org.pthconvert.safety.Allowlist}), the default-deny verdicts derived from it ({@link org.pthconvert.safety.GlobalPolicy}), the audit gathered while reading, and verdicts for {@code scan}.
 */
package org.pthconvert.safety;
