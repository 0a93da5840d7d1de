/**
 * Weight selection ({@code auto}, {@code all}, a sub-tree) and name rules (strip prefix, rename, include, exclude, wrapper prefixes).
 */
package org.pthconvert.select;
