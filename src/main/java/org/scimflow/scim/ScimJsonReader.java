package org.scimflow.scim;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.unboundid.scim2.common.exceptions.BadRequestException;
import com.unboundid.scim2.common.exceptions.ScimException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads SCIM request bodies: accepted content types only, bounded size, strict JSON (duplicate keys and
 * trailing content rejected), UTF-8 text only. Every failure is a SCIM error, never a 500.
 *
 * <p>Text that is not Unicode is refused rather than stored altered: a body that is not well-formed UTF-8
 * (overlong forms included, which the JSON parser would decode), and a string escaping half a surrogate
 * pair ({@code "\uD800"}), which Java holds but no UTF-8 encoder can write: PostgreSQL got {@code ?}
 * while the answer echoed the value, so a 201 vouched for a value that was never stored.
 */
public final class ScimJsonReader {

    private final ObjectMapper mapper;
    private final int maxBytes;

    public ScimJsonReader(int maxBytes) {
        this.maxBytes = maxBytes;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(maxBytes).build())
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * Reads the body of a SCIM call as the servlet hands it over: a stream, read here once and only up to
     * one byte past the limit (a chunked request has no Content-Length to refuse it by earlier). The routes
     * take the servlet's stream as it is, not a cached copy: reads have no body, and the copy cost them
     * a buffer each.
     */
    public JsonNode read(String contentType, Object body, org.apache.camel.TypeConverter converter)
            throws ScimException {
        byte[] bytes;
        if (body instanceof java.io.InputStream in) {
            try (in) {
                bytes = in.readNBytes(maxBytes + 1);
            } catch (IOException e) {
                throw BadRequestException.invalidSyntax("Unreadable request body");
            }
        } else {
            bytes = body == null ? null : converter.convertTo(byte[].class, body);
        }
        return read(contentType, bytes);
    }

    public JsonNode read(String contentType, byte[] body) throws ScimException {
        if (body == null || body.length == 0) {
            throw BadRequestException.invalidSyntax("A JSON request body is required");
        }
        if (body.length > maxBytes) {
            throw ScimErrors.payloadTooLarge("Request body exceeds " + maxBytes + " bytes");
        }
        if (!ScimMediaTypes.isAccepted(contentType)) {
            throw ScimErrors.unsupportedMediaType("Content-Type must be application/scim+json or application/json");
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw BadRequestException.invalidSyntax("The request body is not well-formed UTF-8");
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw BadRequestException.invalidSyntax("A JSON request body is required");
            }
            requireUnicode(node);
            return node;
        } catch (JsonProcessingException e) {
            // Jackson's size limits (nesting depth, number and name length) report no location.
            throw BadRequestException.invalidSyntax(e.getLocation() == null
                    ? "Malformed JSON: " + e.getOriginalMessage()
                    : "Malformed JSON at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw BadRequestException.invalidSyntax("Unreadable request body");
        }
    }

    /** Refuses a name or string value with half a surrogate pair: it cannot be stored as it was sent. */
    private static void requireUnicode(JsonNode node) throws BadRequestException {
        if (node.isTextual()) {
            requireUnicode(node.textValue());
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                requireUnicode(field.getKey());
                requireUnicode(field.getValue());
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                requireUnicode(element);
            }
        }
    }

    private static void requireUnicode(String s) throws BadRequestException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw BadRequestException.invalidValue("A string holds half a surrogate pair (\\u"
                        + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT) + "), which is not Unicode text");
            }
        }
    }
}
