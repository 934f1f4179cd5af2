// A SolrCloud node: Jetty and Solr from the Maven classpath (as deploy/solr/SolrLauncher.java
// for the native stack), listening on every interface of the container and registered in
// ZooKeeper under the host name other containers reach it by.
//
//   java -cp "/opt/solr/lib/*:/opt/solr/classes" -DzkHost=zookeeper:2181 -Dhost=solr1 SolrNode /var/solr 8983
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

public class SolrNode {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SolrNode SOLR_HOME PORT");
            System.exit(64);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        if (!Files.isRegularFile(home.resolve("solr.xml"))) {
            System.err.println("no solr.xml in " + home);
            System.exit(66);
        }
        if (System.getProperty("zkHost", "").isEmpty() || System.getProperty("host", "").isEmpty()) {
            System.err.println("set -DzkHost and -Dhost (the name other nodes reach this one by)");
            System.exit(64);
        }
        System.setProperty("hostPort", Integer.toString(port));
        JettyConfig config = JettyConfig.builder().setPort(port).stopAtShutdown(true).build();
        JettySolrRunner solr = new JettySolrRunner(home.toString(), config);
        // JettySolrRunner (made for tests) binds its connector to 127.0.0.1; in a container
        // the other nodes, the load balancer and the healthcheck need every interface. The
        // connector exists (constructor) but is not started yet, so its host can change.
        Field field = JettySolrRunner.class.getDeclaredField("server");
        field.setAccessible(true);
        for (Connector connector : ((Server) field.get(solr)).getConnectors()) {
            if (connector instanceof ServerConnector) {
                ((ServerConnector) connector).setHost(System.getProperty("solr.bind", "0.0.0.0"));
            }
        }
        solr.start();
        System.out.println("Solr node listening on " + solr.getBaseUrl());
        Thread.currentThread().join();
    }
}
