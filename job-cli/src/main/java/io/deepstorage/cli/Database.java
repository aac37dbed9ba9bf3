package io.deepstorage.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * A PostgreSQL database a job connects to over JDBC. A missing password is sent as empty (trust or peer
 * authentication); {@link #toString()} never shows it.
 */
public record Database(String url, String user, String password) implements java.io.Serializable {

    public static Database of(String host, int port, String database, String user, String password) {
        return new Database("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password == null ? "" : password);
    }

    @Override
    public String toString() {
        return "Database{" + url + " user=" + user + " (password hidden)}";
    }
}
