// Starts a real Apache Solr 9 (Jetty and all) on 127.0.0.1 from the Maven classpath.
// Run as a single-file source program: java -cp "$CP" SolrLauncher.java SOLR_HOME PORT
// (no build step; Java 11+ compiles it in memory).
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class SolrLauncher {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SolrLauncher SOLR_HOME PORT");
            System.exit(64);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        if (!Files.isRegularFile(home.resolve("solr.xml"))) {
            System.err.println("no solr.xml in " + home);
            System.exit(66);
        }
        // JettySolrRunner binds its connector to this host: loopback only.
        System.setProperty("host", "127.0.0.1");
        JettyConfig config = JettyConfig.builder().setPort(port).stopAtShutdown(true).build();
        JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
        solr.start();
        System.out.println("Solr listening on " + solr.getBaseUrl());
        Thread.currentThread().join();
    }
}
