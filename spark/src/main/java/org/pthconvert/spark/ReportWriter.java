package org.pthconvert.spark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The report: one row per input, the same fields as {@code batch}'s, written as a DataFrame under
 * {@code --report} (Spark JSON part files, one row a line, or Parquet). The rows are the tasks'
 * results as the driver collected them (Spark keeps one successful attempt per task); they are
 * deduplicated by input on the driver all the same, so no retry can ever show twice.
 */
final class ReportWriter {
    static final StructType SCHEMA = new StructType()
            .add("input", DataTypes.StringType, false)
            .add("output", DataTypes.StringType, true)
            .add("status", DataTypes.StringType, false)
            .add("error", DataTypes.StringType, true)
            .add("tensors", DataTypes.IntegerType, false)
            .add("bytes", DataTypes.LongType, false)
            .add("seconds", DataTypes.DoubleType, false);

    private ReportWriter() {
    }

    /** One row per input, the last outcome kept, in the order the inputs were given. */
    static List<ReportRow> dedupe(List<ReportRow> rows) {
        Map<String, ReportRow> byInput = new LinkedHashMap<>();
        rows.forEach(r -> byInput.put(r.input(), r));
        return new ArrayList<>(byInput.values());
    }

    static Dataset<Row> frame(SparkSession spark, List<ReportRow> rows) {
        List<Row> out = new ArrayList<>(rows.size());
        for (ReportRow r : rows) {
            out.add(RowFactory.create(r.input(), r.output(), r.status().label(), r.error(), r.tensors(), r.bytes(),
                    r.seconds()));
        }
        // Already one row per input (dedupe): no dropDuplicates, whose shuffle costs more than the rows.
        return spark.createDataFrame(out, SCHEMA);
    }

    static void write(SparkSession spark, List<ReportRow> rows, String dir, String format) {
        var writer = frame(spark, rows).coalesce(1).write().mode(SaveMode.Overwrite);
        if ("parquet".equals(format)) {
            writer.parquet(dir);
        } else {
            writer.option("ignoreNullFields", "false").json(dir);
        }
    }
}
