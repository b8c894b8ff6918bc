package dev.stacyvm.support.error;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RouteMediaTypesTest {

    @Test
    void aTemplateMatchesItsOwnPathsOnly() {
        var upload = RouteMediaTypes.toPattern("/api/v1/sandboxes/{id}/files/upload");
        assertTrue(upload.matcher("/api/v1/sandboxes/sb-1a2b/files/upload").matches());
        assertFalse(upload.matcher("/api/v1/sandboxes/sb-1a2b/x/files/upload").matches(), "{id} is one segment");
        assertFalse(upload.matcher("/api/v1/sandboxes/sb-1a2b/files/uploads").matches());
        var any = RouteMediaTypes.toPattern("/files/{path: .+}");
        assertTrue(any.matcher("/files/a/b/c.txt").matches(), "a parameter's own regex spans segments");
        var joined = RouteMediaTypes.toPattern("/api/v1/templates//{name}/");
        assertTrue(joined.matcher("/api/v1/templates/python").matches(), "slashes are normalised");
    }
}
