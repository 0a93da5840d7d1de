package org.pthconvert.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;

/** The JVM options the tests and bin/pthconvert-spark give are exactly what spark-submit gives. */
class SparkJvmOptionsTest {

    @Test
    void theBuildAndTheScriptPassWhatSparkSubmitPasses() throws Exception {
        List<String> spark = Arrays.asList(JavaModuleOptions.defaultModuleOptionArray());
        String pom = System.getProperty("spark.jvm.options");
        assertNotNull(pom, "spark.jvm.options (set by spark/pom.xml's surefire configuration)");
        assertEquals(spark, Arrays.asList(pom.trim().split("\\s+")), "spark/pom.xml spark.jvm.options");
        Path root = Path.of(System.getProperty("pthconvert.root", ".."));
        String script = Files.readString(root.resolve("bin/pthconvert-spark"));
        for (String option : spark) {
            assertTrue(script.contains("\n  " + option + "\n"), "bin/pthconvert-spark lacks " + option);
        }
    }
}
