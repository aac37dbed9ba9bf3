package io.deepstorage.bronze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void anObjectSplitsIntoItsMembersWithEachValueAsWritten() {
        assertThat(Json.members("{\"venue\": \"X, \\\"N\\\"}\", \"fee\": 0.10, \"meta\": {\"a\": [1, {\"b\": null}]}, \"n\": null}"))
                .containsExactly(
                        org.assertj.core.api.Assertions.entry("venue", "\"X, \\\"N\\\"}\""),
                        org.assertj.core.api.Assertions.entry("fee", "0.10"),
                        org.assertj.core.api.Assertions.entry("meta", "{\"a\": [1, {\"b\": null}]}"),
                        org.assertj.core.api.Assertions.entry("n", "null"));
        assertThat(Json.members(" {} ")).isEmpty();
    }

    @Test
    void textThatIsNotOneJsonObjectIsRefused() {
        assertThatThrownBy(() -> Json.members("{\"a\": 1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.members("{\"a\": 1} x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.members("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.members("{\"a\": nope}")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void onlyWellFormedJsonCountsAsAValue() {
        assertThat(Json.isValue(" {\"a\": [1, -2.5e3, true, \"x\"]} ")).isTrue();
        assertThat(Json.isValue("{\"a\": }")).isFalse();
        assertThat(Json.isValue("01")).isFalse();
    }
}
