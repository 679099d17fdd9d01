package org.scimflow.scim;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** SCIM error bodies (RFC 7644 §3.12) and the exceptions that produce them. */
public final class ScimErrors {

    public static final String ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

    private ScimErrors() { }

    public static ScimException uniqueness(String detail) {
        return new ScimException(409, BadRequestException.UNIQUENESS, detail);
    }

    public static ScimException notFound(String detail) {
        return new ScimException(404, null, detail);
    }

    public static ScimException preconditionFailed(String detail) {
        return new ScimException(412, null, detail);
    }

    public static ScimException payloadTooLarge(String detail) {
        return new ScimException(413, null, detail);
    }

    public static ScimException unsupportedMediaType(String detail) {
        return new ScimException(415, null, detail);
    }

    public static ScimException invalidSyntax(String detail) {
        return BadRequestException.invalidSyntax(detail);
    }

    public static ScimException invalidValue(String detail) {
        return BadRequestException.invalidValue(detail);
    }

    /** A generic detail for an error status, for refusals no route explains (container, firewall, error page). */
    public static String detailFor(int status) {
        return switch (status) {
            case 400 -> "The request could not be read (request line, headers, percent-encoding or method)";
            case 401 -> "Authentication required";
            case 403 -> "Forbidden";
            case 404 -> "No such endpoint or resource";
            case 405 -> "Method not allowed here";
            case 406 -> "None of the accepted media types can be produced";
            case 408 -> "The request was not received in time";
            case 413 -> "The request is too large";
            case 414 -> "The request URI is too long";
            case 415 -> "Unsupported media type";
            case 431 -> "The request headers are too large";
            case 501 -> "The request method or transfer encoding is not supported";
            default -> status >= 500 ? "Internal error" : "The request was refused";
        };
    }

    /** The JSON body of a SCIM error. */
    public static String body(int status, String scimType, String detail) {
        StringBuilder sb = new StringBuilder(128).append("{\"schemas\":[\"").append(ERROR_SCHEMA).append("\"]");
        if (scimType != null) {
            sb.append(",\"scimType\":").append(quote(scimType));
        }
        if (detail != null) {
            sb.append(",\"detail\":").append(quote(detail));
        }
        return sb.append(",\"status\":\"").append(status).append("\"}").toString();
    }

    /** Writes a SCIM error straight to a servlet response (for calls refused before any route). */
    public static void write(HttpServletResponse res, int status, String scimType, String detail) throws IOException {
        if (res.isCommitted()) {
            return;
        }
        res.setStatus(status);
        res.setContentType(ScimMediaTypes.SCIM_JSON);
        res.setCharacterEncoding(StandardCharsets.UTF_8.name());
        res.getWriter().write(body(status, scimType, detail));
    }

    private static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }
}
