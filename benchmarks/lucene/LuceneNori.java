// The Lucene 8 + Nori side of benchmarks/lucene_nori.py: what Elasticsearch runs for Korean.
//
//   java -cp <jars>:. LuceneNori build INDEX THREADS < passages.tsv   (id \t title \t text)
//   java -cp <jars>:. LuceneNori serve INDEX K1 B                      (queries on stdin)
//
// `build` prints one JSON line of figures. `serve` answers one line per query line
// ("query text"): "cpu_ns \t wall_ns \t id id ..." so the Python side can interleave
// Lucene with jisik query by query. Times are measured here, around parse + search +
// reading the ids, with the thread's CPU clock (the search runs on this thread).

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.ko.KoreanAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;

public class LuceneNori {
    public static void main(String[] args) throws Exception {
        if (args.length >= 3 && args[0].equals("build")) {
            build(Paths.get(args[1]), Integer.parseInt(args[2]));
        } else if (args.length >= 4 && args[0].equals("serve")) {
            serve(Paths.get(args[1]), Float.parseFloat(args[2]), Float.parseFloat(args[3]));
        } else {
            System.err.println("usage: LuceneNori build INDEX THREADS < tsv | serve INDEX K1 B");
            System.exit(2);
        }
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    static void build(Path index, int threads) throws Exception {
        List<String[]> rows = new ArrayList<>();
        long chars = 0;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] parts = line.split("\t", 3);
                if (parts.length == 3) {
                    rows.add(parts);
                    chars += parts[1].length() + parts[2].length();
                }
            }
        }
        long cpu0 = processCpuNanos();
        long wall0 = System.nanoTime();
        Analyzer analyzer = new KoreanAnalyzer();
        IndexWriterConfig config = new IndexWriterConfig(analyzer);
        config.setRAMBufferSizeMB(256);
        config.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
        try (FSDirectory dir = FSDirectory.open(index); IndexWriter writer = new IndexWriter(dir, config)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                final int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < rows.size(); i += threads) {
                        String[] row = rows.get(i);
                        Document doc = new Document();
                        doc.add(new StoredField("id", row[0]));
                        // Title and text in one field, as jisik indexes a passage with its title.
                        doc.add(new TextField("text", row[1] + "\n" + row[2], Field.Store.NO));
                        writer.addDocument(doc);
                    }
                    return null;
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
            pool.shutdown();
            writer.forceMerge(1);
            writer.commit();
        }
        long wall = System.nanoTime() - wall0;
        long cpu = processCpuNanos() - cpu0;
        long bytes;
        try (Stream<Path> files = Files.list(index)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("{\"passages\": %d, \"chars\": %d, \"wall_s\": %.3f, \"cpu_s\": %.3f, \"index_bytes\": %d, \"threads\": %d}%n",
            rows.size(), chars, wall / 1e9, cpu / 1e9, bytes, threads);
    }

    static void serve(Path index, float k1, float b) throws Exception {
        ThreadMXBean clock = ManagementFactory.getThreadMXBean();
        BooleanQuery.setMaxClauseCount(4096);
        Analyzer analyzer = new KoreanAnalyzer();
        try (FSDirectory dir = FSDirectory.open(index); DirectoryReader reader = DirectoryReader.open(dir)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            searcher.setSimilarity(new BM25Similarity(k1, b));
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
            out.write("ready\n");
            out.flush();
            String line;
            while ((line = in.readLine()) != null) {
                long cpu0 = clock.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                StringBuilder ids = new StringBuilder();
                try {
                    Query query = new QueryParser("text", analyzer).parse(QueryParser.escape(line));
                    for (ScoreDoc hit : searcher.search(query, 10).scoreDocs) {
                        if (ids.length() > 0) {
                            ids.append(' ');
                        }
                        ids.append(searcher.doc(hit.doc).get("id"));
                    }
                } catch (Exception e) {
                    ids.setLength(0);  // nothing searchable in the question: no hits
                }
                long wall = System.nanoTime() - wall0;
                long cpu = clock.getCurrentThreadCpuTime() - cpu0;
                out.write(cpu + "\t" + wall + "\t" + ids + "\n");
                out.flush();
            }
        }
    }
}
