#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/utils/config.h>
#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/json.h>
#include <volttron/utils/mem.h>

#include "testutil.h"

static char *dir;

static void setup(void)
{
    dir = vt_test_mkdtemp();
}

static void teardown(void)
{
    vt_test_rmtree(dir);
    free(dir);
}

/* Compact JSON of a tree, which shows int/float, null and bool apart. */
static char *compact(const cJSON *v)
{
    return vt_json_dump(v, VT_JSON_COMPACT);
}

static void assert_yaml(const char *text, const char *expected)
{
    cJSON *root = vt_config_parse_yaml(text, strlen(text), "t.yaml");
    ck_assert_msg(root, "%s: %s", text, vt_last_error());
    char *got = compact(root);
    ck_assert_msg(strcmp(got, expected) == 0, "YAML %s\n  gave %s\n  want %s", text, got, expected);
    free(got);
    cJSON_Delete(root);
}

static void assert_yaml_error(const char *text, const char *expected)
{
    cJSON *root = vt_config_parse_yaml(text, strlen(text), "t.yaml");
    ck_assert_msg(!root, "YAML %s should fail", text);
    ck_assert_str_eq(vt_last_error(), expected);
}

/* Load dir/name written with text; the result must be expected (compact). */
static void assert_load(const char *name, const char *text, const char *expected)
{
    char *path = vt_test_write_file(dir, name, text);
    cJSON *root = vt_config_load(path);
    ck_assert_msg(root, "%s: %s", name, vt_last_error());
    char *got = compact(root);
    ck_assert_str_eq(got, expected);
    free(got);
    cJSON_Delete(root);
    free(path);
}

/* Loading dir/name must fail with "<path><suffix>". */
static void assert_load_error(const char *name, const char *text, const char *suffix)
{
    char *path = vt_test_write_file(dir, name, text);
    ck_assert_ptr_null(vt_config_load(path));
    char *expected = vt_asprintf("%s%s", path, suffix);
    ck_assert_str_eq(vt_last_error(), expected);
    free(expected);
    free(path);
}

/* ---- JSON ------------------------------------------------------------ */

START_TEST(test_json_with_comments)
{
    assert_load("listener.config",
                "# a listener\n"
                "{\n"
                "    // how often to publish\n"
                "    \"interval\": 5, /* seconds */\n"
                "    \"topic\": \"heartbeat/listener\", # trailing\n"
                "    \"ratio\": 1.0,\n"
                "    \"url\": \"http://host//path#frag\"\n"
                "}\n",
                "{\"interval\":5,\"topic\":\"heartbeat/listener\",\"ratio\":1.0,"
                "\"url\":\"http://host//path#frag\"}");
}
END_TEST

START_TEST(test_parse_json_wrapper)
{
    const char *text = "{\"a\": [1, 2.5] // c\n}";
    cJSON *root = vt_config_parse_json(text, strlen(text), "inline");
    ck_assert_ptr_nonnull(root);
    ck_assert(vt_json_is_float(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "a"), 1)));
    cJSON_Delete(root);
    ck_assert_ptr_null(vt_config_parse_json("{\"a\" 1}", 7, "inline"));
    ck_assert_str_eq(vt_last_error(), "inline:1:6: expected ':' after object key");
}
END_TEST

START_TEST(test_truncated_json)
{
    assert_load_error("agent.config", "{\n  \"a\": 1,\n  \"b\": [1, 2\n",
                      ":4:1: expected ',' or ']' in array");
    assert_load_error("agent.json", "{\"interval\": 5 \"topic\": \"x\"}",
                      ":1:16: expected ',' or '}' in object");
    assert_load_error("comment.json", "/* no end\n{\"a\": 1}", ":1:1: unterminated comment");
}
END_TEST

/* ---- loading --------------------------------------------------------- */

START_TEST(test_yaml_by_extension)
{
    const char *text = "interval: 5\ntopic: heartbeat\nflags: [on, off]\n";
    const char *want = "{\"interval\":5,\"topic\":\"heartbeat\",\"flags\":[true,false]}";
    assert_load("agent.yml", text, want);
    assert_load("agent.yaml", text, want);
}
END_TEST

START_TEST(test_yaml_by_sniffing)
{
    assert_load("agent.config",
                "# YAML without the extension\n"
                "driver_config:\n"
                "  device_address: 10.0.0.5\n"
                "  port: 47808\n"
                "interval: 60\n",
                "{\"driver_config\":{\"device_address\":\"10.0.0.5\",\"port\":47808},"
                "\"interval\":60}");
    /* YAML flow style that is not JSON (no quotes on keys). */
    assert_load("flow", "{a: 1, b: [x, y]}", "{\"a\":1,\"b\":[\"x\",\"y\"]}");
}
END_TEST

START_TEST(test_empty_files)
{
    assert_load("empty.config", "", "{}");
    assert_load("blank.config", " \n\t\n", "{}");
    assert_load("comments.config", "# nothing\n// here\n/* at\n all */\n", "{}");
    assert_load("empty.yml", "", "{}");
    assert_load("doc.yaml", "---\n# nothing\n", "{}");
    assert_load("doc.yaml", "---\n...\n", "{}");
}
END_TEST

START_TEST(test_top_level_must_be_object)
{
    assert_load_error("list.json", "[1, 2]", ": configuration must be an object, got an array");
    assert_load_error("list.yml", "- 1\n- 2\n", ": configuration must be an object, got an array");
    assert_load_error("word.config", "hello\n", ": configuration must be an object, got a string");
    assert_load_error("num.json", "42", ": configuration must be an object, got a number");
    assert_load_error("null.yaml", "~\n", ": configuration must be an object, got null");
}
END_TEST

START_TEST(test_truncated_yaml)
{
    assert_load_error("agent.yml", "name: \"unclosed\ninterval: 5\n",
                      ":3:1: found unexpected end of stream (while scanning a quoted scalar)");
    /* Sniffed: not JSON-looking, so the YAML error is the one reported. */
    assert_load_error("agent.config", "points:\n  - a\n  - [b, c\n",
                      ":4:1: did not find expected ',' or ']' (while parsing a flow sequence)");
    assert_load_error("indent.config", "a: 1\n b: 2\n",
                      ":2:3: mapping values are not allowed in this context");
}
END_TEST

START_TEST(test_missing_file)
{
    char *path = vt_fs_path_join(dir, "nope.config");
    ck_assert_ptr_null(vt_config_load(path));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), path));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "No such file"));
    free(path);
}
END_TEST

START_TEST(test_directory)
{
    ck_assert_ptr_null(vt_config_load(dir));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), dir));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "directory"));
}
END_TEST

START_TEST(test_oversized_file)
{
    char *path = vt_fs_path_join(dir, "huge.json");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, (off_t)VT_CONFIG_MAX_SIZE + 1), 0); /* sparse */
    close(fd);
    ck_assert_ptr_null(vt_config_load(path));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), path));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "limit"));
    free(path);
}
END_TEST

START_TEST(test_unreadable_file)
{
    char *path = vt_test_write_file(dir, "secret.json", "{\"a\": 1}");
    ck_assert_int_eq(chmod(path, 0), 0);
    cJSON *root = vt_config_load(path);
    if (geteuid() == 0) {
        /* root reads it regardless of the mode; nothing to check then. */
        cJSON_Delete(root);
    } else {
        ck_assert_ptr_null(root);
        ck_assert_ptr_nonnull(strstr(vt_last_error(), path));
        ck_assert_ptr_nonnull(strstr(vt_last_error(), "Permission denied"));
    }
    free(path);
}
END_TEST

/* ---- YAML scalars ---------------------------------------------------- */

START_TEST(test_yaml_null_and_bool)
{
    static const char *const cases[][2] = {
        {"", "null"},       {"~", "null"},        {"null", "null"},   {"Null", "null"},
        {"NULL", "null"},   {"nULL", "\"nULL\""}, {"true", "true"},   {"True", "true"},
        {"TRUE", "true"},   {"tRUE", "\"tRUE\""}, {"yes", "true"},    {"Yes", "true"},
        {"YES", "true"},    {"on", "true"},       {"On", "true"},     {"ON", "true"},
        {"false", "false"}, {"False", "false"},   {"FALSE", "false"}, {"no", "false"},
        {"No", "false"},    {"NO", "false"},      {"off", "false"},   {"Off", "false"},
        {"OFF", "false"},   {"y", "\"y\""},       {"n", "\"n\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = vt_asprintf("x: %s\n", cases[i][0]);
        char *want = vt_asprintf("{\"x\":%s}", cases[i][1]);
        assert_yaml(text, want);
        free(text);
        free(want);
    }
}
END_TEST

START_TEST(test_yaml_numbers)
{
    static const char *const cases[][2] = {
        {"0", "0"},
        {"-0", "0"},
        {"+12", "12"},
        {"1_000", "1000"},
        {"0x1F", "31"},
        {"-0x1f", "-31"},
        {"0o17", "15"},
        {"017", "15"},
        {"-017", "-15"},
        {"0b101", "5"},
        {"0_", "0"},
        {"1:30", "90"},
        {"190:20:30", "685230"},
        {"08", "\"08\""},
        {"0x", "\"0x\""},
        {"0:30", "\"0:30\""},
        {"1:60", "\"1:60\""},
        {"1.5", "1.5"},
        {"1.0", "1.0"},
        {"1.", "1.0"},
        {".5", "0.5"},
        {"-.5", "-0.5"},
        {"1_000.5", "1000.5"},
        {"1.0e+3", "1000.0"},
        {"1e3", "1000.0"},
        {"-1.5e-3", "-0.0015"},
        {"1:30.5", "90.5"},
        {".inf", "Infinity"},
        {"-.Inf", "-Infinity"},
        {"+.INF", "Infinity"},
        {".nan", "NaN"},
        {".NaN", "NaN"},
        {".NAN", "NaN"},
        {"inf", "\"inf\""},
        {"nan", "\"nan\""},
        {"-.nan", "\"-.nan\""},
        {"._5", "\"._5\""},
        {"1.2.3", "\"1.2.3\""},
        {"1e", "\"1e\""},
        {"2001-12-14", "\"2001-12-14\""},
        {"10.0.0.5", "\"10.0.0.5\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *text = vt_asprintf("x: %s\n", cases[i][0]);
        char *want = vt_asprintf("{\"x\":%s}", cases[i][1]);
        assert_yaml(text, want);
        free(text);
        free(want);
    }
}
END_TEST

START_TEST(test_yaml_strings)
{
    assert_yaml("a: 'yes'\nb: \"1\"\nc: hello world\nd: 'it''s'\ne: \"tab\\there\"\n",
                "{\"a\":\"yes\",\"b\":\"1\",\"c\":\"hello world\",\"d\":\"it's\","
                "\"e\":\"tab\\there\"}");
    assert_yaml("lit: |\n  line 1\n  line 2\nfold: >\n  one\n  two\nnum: |\n  12\n",
                "{\"lit\":\"line 1\\nline 2\\n\",\"fold\":\"one two\\n\",\"num\":\"12\\n\"}");
    assert_yaml("u: \"caf\\u00e9\"\n", "{\"u\":\"caf\\u00e9\"}");
    assert_yaml_error("a: \"nul\\0here\"\n",
                      "t.yaml:1:4: NUL characters are not supported in strings");
}
END_TEST

START_TEST(test_yaml_tags)
{
    assert_yaml("a: !!str 1\nb: !!int '12'\nc: !!float 1\nd: !!bool 'Yes'\ne: !!null x\n"
                "f: !!str yes\ng: ! 12\nh: !!float '2.5'\n",
                "{\"a\":\"1\",\"b\":12,\"c\":1.0,\"d\":true,\"e\":null,\"f\":\"yes\","
                "\"g\":\"12\",\"h\":2.5}");
    assert_yaml("m: !!map {a: 1}\ns: !!seq [1]\n", "{\"m\":{\"a\":1},\"s\":[1]}");
    assert_yaml_error("a: !!int xyz\n", "t.yaml:1:4: invalid value for !!int: 'xyz'");
    assert_yaml_error("a: !!bool maybe\n", "t.yaml:1:4: invalid value for !!bool: 'maybe'");
    assert_yaml_error("a: !custom x\n", "t.yaml:1:4: unsupported tag !custom");
    assert_yaml_error("a: !!binary aGk=\n", "t.yaml:1:4: unsupported tag !!binary");
    assert_yaml_error("a: !!set {x}\n", "t.yaml:1:4: unsupported tag !!set");
}
END_TEST

/* ---- YAML structure -------------------------------------------------- */

START_TEST(test_yaml_nested)
{
    assert_yaml("agentid: platform.driver\n"
                "registry:\n"
                "  - point: Temp\n"
                "    units: degF\n"
                "    writable: false\n"
                "  - point: Fan\n"
                "    values: [0, 1, {auto: 2}]\n"
                "empty_map: {}\n"
                "empty_list: []\n"
                "nested: [[1, [2, []]]]\n",
                "{\"agentid\":\"platform.driver\",\"registry\":[{\"point\":\"Temp\","
                "\"units\":\"degF\",\"writable\":false},{\"point\":\"Fan\",\"values\":"
                "[0,1,{\"auto\":2}]}],\"empty_map\":{},\"empty_list\":[],"
                "\"nested\":[[1,[2,[]]]]}");
    /* Keys keep their text even when they would type as something else. */
    assert_yaml("1: one\ntrue: t\n~: n\n0x10: h\n",
                "{\"1\":\"one\",\"true\":\"t\",\"~\":\"n\",\"0x10\":\"h\"}");
}
END_TEST

START_TEST(test_yaml_duplicate_keys)
{
    assert_yaml("a: 1\nb: 2\na: 3\n", "{\"a\":3,\"b\":2}");
    assert_yaml("{a: [1], a: {x: y}}", "{\"a\":{\"x\":\"y\"}}");
}
END_TEST

START_TEST(test_yaml_anchors)
{
    assert_yaml("defaults: &d {interval: 5, units: [F, C]}\n"
                "one: *d\n"
                "two: *d\n"
                "name: &n listener\n"
                "again: *n\n",
                "{\"defaults\":{\"interval\":5,\"units\":[\"F\",\"C\"]},"
                "\"one\":{\"interval\":5,\"units\":[\"F\",\"C\"]},"
                "\"two\":{\"interval\":5,\"units\":[\"F\",\"C\"]},"
                "\"name\":\"listener\",\"again\":\"listener\"}");
    /* A later definition of the same name wins; the value survives the key
     * it was anchored on being replaced. */
    assert_yaml("a: &x 1\nb: *x\nc: &x 2\nd: *x\n", "{\"a\":1,\"b\":1,\"c\":2,\"d\":2}");
    assert_yaml("a: &x [1]\na: 2\nb: *x\n", "{\"a\":2,\"b\":[1]}");
    /* An anchored key, used as a value and as a key. */
    assert_yaml("&k key: 1\nother: *k\n*k : 2\n", "{\"key\":2,\"other\":\"key\"}");
    assert_yaml_error("a: *nope\n", "t.yaml:1:4: found undefined alias 'nope'");
    assert_yaml_error("a: &r [*r]\n", "t.yaml:1:8: found undefined alias 'r'");
    assert_yaml_error("a: &m {x: 1}\n*m : 2\n", "t.yaml:2:1: mapping keys must be scalars");
}
END_TEST

START_TEST(test_yaml_merge)
{
    const char *base = "base: &b {host: localhost, port: 80, tls: false}\n";
    char *text = vt_asprintf("%sweb:\n  <<: *b\n  port: 8443\n", base);
    assert_yaml(text, "{\"base\":{\"host\":\"localhost\",\"port\":80,\"tls\":false},"
                      "\"web\":{\"host\":\"localhost\",\"port\":8443,\"tls\":false}}");
    free(text);
    /* Explicit keys win wherever the merge key is; merged keys come first. */
    assert_yaml("b: &b {x: 1, y: 2}\nd:\n  y: 3\n  z: 4\n  <<: *b\n",
                "{\"b\":{\"x\":1,\"y\":2},\"d\":{\"x\":1,\"y\":3,\"z\":4}}");
    /* In a list the first mapping wins (key order as PyYAML gives it). */
    assert_yaml("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nd:\n  <<: [*a, *b]\n  w: 0\n",
                "{\"a\":{\"x\":1,\"y\":1},\"b\":{\"y\":2,\"z\":2},"
                "\"d\":{\"y\":1,\"z\":2,\"x\":1,\"w\":0}}");
    /* Of two merge keys the later wins. */
    assert_yaml("a: &a {x: 1}\nb: &b {x: 2}\nd:\n  <<: *a\n  <<: *b\n",
                "{\"a\":{\"x\":1},\"b\":{\"x\":2},\"d\":{\"x\":2}}");
    /* An inline mapping merges too; a quoted "<<" is an ordinary key. */
    assert_yaml("<<: {a: 1}\nb: 2\n", "{\"a\":1,\"b\":2}");
    assert_yaml("'<<': {a: 1}\n", "{\"<<\":{\"a\":1}}");
    assert_yaml_error("a: {<<: 5}\n",
                      "t.yaml:1:9: a merge key '<<' needs a mapping or a list of mappings");
    assert_yaml_error("a: {<<: [{x: 1}, 2]}\n",
                      "t.yaml:1:9: a merge key '<<' needs a mapping or a list of mappings");
}
END_TEST

START_TEST(test_yaml_billion_laughs)
{
    vt_buf b;
    vt_buf_init(&b);
    vt_buf_append_str(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    const char *names = "abcdefghi";
    for (int i = 1; names[i]; i++) {
        vt_buf_appendf(&b, "%c: &%c [", names[i], names[i]);
        for (int j = 0; j < 9; j++)
            vt_buf_appendf(&b, "%s*%c", j ? ", " : "", names[i - 1]);
        vt_buf_append_str(&b, "]\n");
    }
    cJSON *root = vt_config_parse_yaml(b.data, b.len, "lol.yaml");
    ck_assert_ptr_null(root);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "lol.yaml:"));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "more than 1000000 nodes"));
    vt_buf_free(&b);
}
END_TEST

START_TEST(test_yaml_documents)
{
    assert_yaml("a: 1\n---\nb: 2\n", "{\"a\":1}");
    assert_yaml("--- \n...\n", "{}");
    assert_yaml("", "{}");
    assert_yaml("# only a comment\n", "{}");
    assert_yaml("- 1\n- two\n", "[1,\"two\"]");
    assert_yaml("just words\n", "\"just words\"");
}
END_TEST

START_TEST(test_yaml_errors)
{
    assert_yaml_error(
        "a: \"unclosed\n",
        "t.yaml:2:1: found unexpected end of stream (while scanning a quoted scalar)");
    assert_yaml_error(
        "a: [1, 2\n",
        "t.yaml:2:1: did not find expected ',' or ']' (while parsing a flow sequence)");
    assert_yaml_error(
        "a: {x: 1\n",
        "t.yaml:2:1: did not find expected ',' or '}' (while parsing a flow mapping)");
    assert_yaml_error("a: 1\n b: 2\n",
                      "t.yaml:2:3: mapping values are not allowed in this context");
    assert_yaml_error("? [1, 2]\n: x\n", "t.yaml:1:3: mapping keys must be scalars");
    assert_yaml_error("a: 1\n\"junk\" more\n",
                      "t.yaml:3:1: could not find expected ':' (while scanning a simple key)");
    assert_yaml_error("\"a\" b\n", "t.yaml:1:5: did not find expected <document start>");
    /* Not nul-terminated: only len bytes are read. */
    ck_assert_ptr_null(vt_config_parse_yaml("a: [1, 2]", 6, "cut"));
    /* libyaml puts the end of a stream without a final newline on the next line. */
    ck_assert_str_eq(vt_last_error(),
                     "cut:2:1: did not find expected node content (while parsing a flow node)");
    cJSON *root = vt_config_parse_yaml("a: 1\nb: [", 4, "cut");
    ck_assert_ptr_nonnull(root);
    ck_assert_int_eq(cJSON_GetObjectItem(root, "a")->valueint, 1);
    ck_assert_ptr_null(cJSON_GetObjectItem(root, "b"));
    cJSON_Delete(root);
}
END_TEST

START_TEST(test_yaml_depth_limit)
{
    vt_buf b;
    vt_buf_init(&b);
    for (int i = 0; i < 300; i++)
        vt_buf_append_char(&b, '[');
    for (int i = 0; i < 300; i++)
        vt_buf_append_char(&b, ']');
    ck_assert_ptr_null(vt_config_parse_yaml(b.data, b.len, "deep"));
    ck_assert_str_eq(vt_last_error(), "deep:1:257: nesting too deep");
    vt_buf_free(&b);
}
END_TEST

START_TEST(test_yaml_bad_utf8)
{
    ck_assert_ptr_null(vt_config_parse_yaml("a: 1\nb: \xff\n", 10, "bin"));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), "bin:2:4: "));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_json_with_comments);
    tcase_add_test(tc, test_parse_json_wrapper);
    tcase_add_test(tc, test_truncated_json);
    tcase_add_test(tc, test_yaml_by_extension);
    tcase_add_test(tc, test_yaml_by_sniffing);
    tcase_add_test(tc, test_empty_files);
    tcase_add_test(tc, test_top_level_must_be_object);
    tcase_add_test(tc, test_truncated_yaml);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_directory);
    tcase_add_test(tc, test_oversized_file);
    tcase_add_test(tc, test_unreadable_file);
    tcase_add_test(tc, test_yaml_null_and_bool);
    tcase_add_test(tc, test_yaml_numbers);
    tcase_add_test(tc, test_yaml_strings);
    tcase_add_test(tc, test_yaml_tags);
    tcase_add_test(tc, test_yaml_nested);
    tcase_add_test(tc, test_yaml_duplicate_keys);
    tcase_add_test(tc, test_yaml_anchors);
    tcase_add_test(tc, test_yaml_merge);
    tcase_add_test(tc, test_yaml_billion_laughs);
    tcase_add_test(tc, test_yaml_documents);
    tcase_add_test(tc, test_yaml_errors);
    tcase_add_test(tc, test_yaml_depth_limit);
    tcase_add_test(tc, test_yaml_bad_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
