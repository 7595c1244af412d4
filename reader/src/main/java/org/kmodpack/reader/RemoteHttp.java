package org.kmodpack.reader;

import java.io.IOException;
import java.net.http.HttpClient;

/** The HTTP client of remote sources, for other clients of the same servers (an OCI registry's API) to share. */
public final class RemoteHttp {
    private RemoteHttp() {
    }

    /** HTTP/1.1, redirects followed, the JDK's certificate authorities plus those of {@code options}. */
    public static HttpClient client(RemoteOptions options) throws IOException {
        return HttpSource.client(options);
    }
}
