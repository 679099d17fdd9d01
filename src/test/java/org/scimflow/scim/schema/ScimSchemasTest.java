package org.scimflow.scim.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.scimflow.config.ScimflowProperties;

/** Extensions declared in configuration: what they become, and which declarations stop the hub. */
class ScimSchemasTest {

    static ScimflowProperties.Extension ext(String urn, Consumer<ScimflowProperties.Attribute> attr) {
        ScimflowProperties.Extension e = new ScimflowProperties.Extension();
        e.setSchema(urn);
        ScimflowProperties.Attribute a = new ScimflowProperties.Attribute();
        a.setName("badge");
        attr.accept(a);
        e.setAttributes(List.of(a));
        return e;
    }

    @Test
    void aConfiguredExtensionBecomesPartOfTheUserResourceType() {
        ScimSchemas s = ScimSchemas.from(List.of(ext("urn:example:acme:1.0:User", a -> {
            a.setType("Integer");
            a.setMutability("immutable");
            a.setReturned("request");
        })));

        assertThat(s.user().extensions()).extracting(e -> e.schema().id())
                .containsExactly(CoreSchemas.ENTERPRISE_USER, "urn:example:acme:1.0:User");
        AttributeDefinition badge = s.schema("URN:EXAMPLE:ACME:1.0:USER").attribute("BADGE");
        assertThat(badge.type()).isEqualTo(AttributeDefinition.Type.INTEGER);
        assertThat(badge.mutability()).isEqualTo(AttributeDefinition.Mutability.IMMUTABLE);
        assertThat(badge.returned()).isEqualTo(AttributeDefinition.Returned.REQUEST);
        assertThat(s.schemas()).hasSize(4);
        assertThat(ScimSchemas.core().schemas()).hasSize(3);
    }

    @Test
    void groupExtensionsAndComplexAttributes() {
        ScimflowProperties.Extension e = ext("urn:example:acme:1.0:Group", a -> {
            a.setType("complex");
            ScimflowProperties.Attribute sub = new ScimflowProperties.Attribute();
            sub.setName("code");
            a.setSubAttributes(List.of(sub));
        });
        e.setResourceType("group");
        e.setRequired(true);
        ScimSchemas s = ScimSchemas.from(List.of(e));
        assertThat(s.group().extensions()).singleElement().satisfies(x -> assertThat(x.required()).isTrue());
        assertThat(s.group().extension("urn:example:acme:1.0:Group").attribute("badge").subAttribute("code")).isNotNull();
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of(ext("not-a-urn", a -> { }), "must be a URN"),
                Arguments.of(ext("urn:example:o'brien:1.0:User", a -> { }), "must be a URN"),
                Arguments.of(ext("urn:example:back\\slash:1.0:User", a -> { }), "must be a URN"),
                Arguments.of(ext(CoreSchemas.ENTERPRISE_USER, a -> { }), "declared twice"),
                Arguments.of(ext("urn:example:a:1.0:User", a -> a.setName("1bad")), "ATTRNAME"),
                Arguments.of(ext("urn:example:a:1.0:User", a -> a.setType("money")), "type 'money'"),
                Arguments.of(ext("urn:example:a:1.0:User", a -> a.setMutability("sometimes")), "mutability"),
                Arguments.of(ext("urn:example:a:1.0:User", a -> a.setType("complex")), "needs subAttributes"),
                Arguments.of(ext("urn:example:a:1.0:User", a -> {
                    a.setType("integer");
                    a.setCanonicalValues(List.of("1"));
                }), "canonicalValues"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("bad")
    void badDeclarationsStopTheHubWithAClearMessage(ScimflowProperties.Extension e, String message) {
        assertThatThrownBy(() -> ScimSchemas.from(List.of(e))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void attributeNamesMustBeUniqueAndTheResourceTypeKnown() {
        ScimflowProperties.Extension e = ext("urn:example:a:1.0:User", a -> { });
        e.setAttributes(List.of(e.getAttributes().get(0), e.getAttributes().get(0)));
        assertThatThrownBy(() -> ScimSchemas.from(List.of(e))).hasMessageContaining("declared twice");
        ScimflowProperties.Extension p = ext("urn:example:b:1.0:User", a -> { });
        p.setResourceType("Printer");
        assertThatThrownBy(() -> ScimSchemas.from(List.of(p))).hasMessageContaining("User or Group");
    }
}
