package org.pthconvert.tensor;

/**
 * The storage keys torch writes: {@code 0}, {@code 1}, ... in decimal. Tables of storages and of zip
 * records index those by number, which spares hashing (and, in a zip, making) a name per look-up in
 * a checkpoint of 100,000 tensors.
 */
public final class StorageKeys {
    private StorageKeys() {
    }

    /**
     * The value of {@code s} from {@code from} on when it is a canonical decimal (digits, no leading
     * zero but in "0") below 2^31, else -1.
     */
    public static int decimalKey(String s, int from) {
        int n = s.length() - from;
        if (n < 1 || n > 10 || (n > 1 && s.charAt(from) == '0')) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= Integer.MAX_VALUE ? (int) v : -1;
    }
}
