package org.pthconvert.cli.inspect;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.pthconvert.dtype.FloatCasts;
import org.pthconvert.pickle.PickleRepr;
import org.pthconvert.pickle.PickleValue;
import org.pthconvert.pickle.PickleValue.PBytes;
import org.pthconvert.pickle.PickleValue.PInt;
import org.pthconvert.pickle.PickleValue.PObject;
import org.pthconvert.pickle.PickleValue.PStr;
import org.pthconvert.pickle.PickleValue.PSymbol;
import org.pthconvert.pickle.PickleValue.PTuple;

/**
 * numpy values as inspect shows them, decoded from their pickled form without numpy: a scalar
 * ({@code numpy.core.multiarray.scalar(dtype, raw bytes)}) as {@code numpy.float64(0.001)}, an array
 * ({@code _reconstruct} + BUILD {@code (version, shape, dtype, fortran, raw bytes)}) as
 * {@code numpy.ndarray float64 (3,) [0.5, 1.0, 2.0]}, values only when there are a few.
 * Numeric dtypes (b, i, u, f, c) are decoded; others are named only.
 */
final class NumpyValues {
    static final int MAX_VALUES = 8;

    private NumpyValues() {
    }

    /** The one-line form of {@code v} if it is a numpy scalar or array, else null. */
    static String describe(PickleValue v) {
        if (v instanceof PSymbol s && s.what().name().equals("scalar") && isMultiarray(s.what().module())
                && s.args() != null && s.args().size() == 2) {
            Descr d = Descr.of(s.args().get(0));
            if (d == null) {
                return null;
            }
            String value = s.args().get(1) instanceof PBytes b ? d.values(b.data(), 1) : null;
            return "numpy." + d.name() + "(" + (value != null ? value : "…") + ")";
        }
        if (v instanceof PObject o && o.type().qualified().equals("numpy.ndarray")
                && o.state() instanceof PTuple st && st.size() == 5 && st.get(1) instanceof PTuple shape) {
            Descr d = Descr.of(st.get(2));
            long n = 1;
            StringBuilder dims = new StringBuilder("(");
            for (int i = 0; i < shape.size(); i++) {
                if (!(shape.get(i) instanceof PInt dim) || !dim.fitsLong() || dim.value().signum() < 0) {
                    return null;
                }
                dims.append(i > 0 ? ", " : "").append(dim);
                n = n < 0 || dim.value().bitLength() > 62 ? -1 : multiply(n, dim.value().longValue());
            }
            dims.append(shape.size() == 1 ? ",)" : ")");
            String text = "numpy.ndarray " + (d == null ? "?" : d.name()) + " " + dims;
            boolean fortran = st.get(3) instanceof PickleValue.PBool f && f.value();
            if (d != null && n >= 0 && n <= MAX_VALUES && (!fortran || shape.size() <= 1)
                    && st.get(4) instanceof PBytes b) {
                String values = d.values(b.data(), (int) n);
                if (values != null) {
                    text += " " + (shape.size() == 0 ? values : "[" + values + "]");
                }
            }
            return text;
        }
        return null;
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    private static boolean isMultiarray(String module) {
        return module.equals("numpy.core.multiarray") || module.equals("numpy._core.multiarray");
    }

    /** A numpy dtype: kind letter, item size, byte order. */
    private record Descr(char kind, int size, ByteOrder order, String code) {

        /** From {@code numpy.dtype('f8', False, True)} plus BUILD state {@code (3, '<', ...)}. */
        static Descr of(PickleValue v) {
            if (!(v instanceof PObject o) || !o.type().qualified().equals("numpy.dtype") || o.args().size() < 1
                    || !(o.args().get(0) instanceof PStr code) || code.value().isEmpty()) {
                return null;
            }
            String c = code.value();
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            if (o.state() instanceof PTuple st && st.size() > 1 && st.get(1) instanceof PStr e
                    && e.value().equals(">")) {
                order = ByteOrder.BIG_ENDIAN;
            }
            int size = 0;
            try {
                size = c.length() > 1 ? Integer.parseInt(c.substring(1)) : 0;
            } catch (NumberFormatException e) {
                size = 0;
            }
            return new Descr(c.charAt(0), size, order, c);
        }

        String name() {
            return switch (kind) {
                case 'b' -> size == 1 ? "bool" : code;
                case 'i' -> "int" + size * 8;
                case 'u' -> "uint" + size * 8;
                case 'f' -> "float" + size * 8;
                case 'c' -> "complex" + size * 8;
                default -> code;
            };
        }

        private boolean decodable() {
            return switch (kind) {
                case 'b' -> size == 1;
                case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
                case 'f' -> size == 2 || size == 4 || size == 8;
                case 'c' -> size == 8 || size == 16;
                default -> false;
            };
        }

        /** The first {@code n} values of {@code raw}, comma-separated, or null if they cannot be decoded. */
        String values(byte[] raw, int n) {
            if (!decodable() || (long) n * size > raw.length) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(raw).order(order);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) {
                sb.append(i > 0 ? ", " : "").append(one(b));
            }
            return sb.toString();
        }

        private String one(ByteBuffer b) {
            return switch (kind) {
                case 'b' -> b.get() != 0 ? "True" : "False";
                case 'i' -> Long.toString(switch (size) {
                    case 1 -> b.get();
                    case 2 -> b.getShort();
                    case 4 -> b.getInt();
                    default -> b.getLong();
                });
                case 'u' -> switch (size) {
                    case 1 -> Integer.toString(b.get() & 0xff);
                    case 2 -> Integer.toString(b.getShort() & 0xffff);
                    case 4 -> Long.toString(b.getInt() & 0xffff_ffffL);
                    default -> Long.toUnsignedString(b.getLong());
                };
                case 'f' -> switch (size) {
                    case 2 -> pyFloat(Float.intBitsToFloat(FloatCasts.f16ToF32(b.getShort())), true);
                    case 4 -> pyFloat(b.getFloat(), true);
                    default -> pyFloat(b.getDouble(), false);
                };
                default -> {
                    double re = size == 8 ? b.getFloat() : b.getDouble();
                    double im = size == 8 ? b.getFloat() : b.getDouble();
                    yield "(" + pyFloat(re, size == 8) + (im < 0 || (im == 0 && 1 / im < 0) ? "-" : "+")
                            + pyFloat(Math.abs(im), size == 8) + "j)";
                }
            };
        }
    }

    /** The fewest significant digits that read back as {@code d} (as float32 when {@code single}). */
    private static BigDecimal shortest(double d, boolean single) {
        for (int p = 1; p < 17; p++) {
            String s = String.format(java.util.Locale.ROOT, "%." + (p - 1) + "e", d);
            if (single ? Float.parseFloat(s) == (float) d : Double.parseDouble(s) == d) {
                return new BigDecimal(s).stripTrailingZeros();
            }
        }
        return new BigDecimal(d).round(new java.math.MathContext(17)).stripTrailingZeros();
    }

    /** Python's repr of a float: {@code 0.001}, {@code 1e-05}, {@code 1.0}, {@code 1e+16}, {@code nan}. */
    static String pyFloat(double d, boolean single) {
        if (!single) {
            return PickleRepr.pythonFloat(d);
        }
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal bd = shortest(d, single);
        double a = Math.abs(d);
        if (a >= 1e-4 && a < 1e16) {
            String plain = bd.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = bd.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - bd.scale();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "")
                + Math.abs(exp);
    }
}
