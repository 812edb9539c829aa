#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <volttron/utils/error.h>
#include <volttron/utils/fs.h>
#include <volttron/utils/ini.h>
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

static vt_ini *parse(const char *text)
{
    vt_ini *ini = vt_ini_parse(text, strlen(text), "config");
    ck_assert_msg(ini, "%s", vt_last_error());
    return ini;
}

static void assert_parse_error(const char *text, const char *expected)
{
    ck_assert_ptr_null(vt_ini_parse(text, strlen(text), "config"));
    ck_assert_str_eq(vt_last_error(), expected);
}

static void assert_dump(const vt_ini *ini, const char *expected)
{
    char *text = vt_ini_dump(ini);
    ck_assert_str_eq(text, expected);
    free(text);
}

static const char *volttron_config = "[volttron]\n"
                                     "message-bus = zmq\n"
                                     "vip-address = tcp://127.0.0.1:22916\n"
                                     "instance-name = \"volttron1\"\n"
                                     "bind-web-address = https://myhost:8443\n";

START_TEST(test_volttron_config)
{
    vt_ini *ini = parse(volttron_config);
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "message-bus"), "zmq");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "vip-address"), "tcp://127.0.0.1:22916");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "instance-name"), "\"volttron1\"");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "bind-web-address"), "https://myhost:8443");
    ck_assert_ptr_null(vt_ini_get(ini, "volttron", "missing"));
    ck_assert_ptr_null(vt_ini_get(ini, "other", "message-bus"));
    char *name = vt_ini_unquote(vt_ini_get(ini, "volttron", "instance-name"));
    ck_assert_str_eq(name, "volttron1");
    free(name);
    const char *key, *value;
    ck_assert(vt_ini_entry(ini, "volttron", 3, &key, &value));
    ck_assert_str_eq(key, "bind-web-address");
    ck_assert(!vt_ini_entry(ini, "volttron", 4, &key, &value));
    ck_assert(!vt_ini_entry(ini, "", 0, &key, &value));
    vt_ini_destroy(&ini);
    ck_assert_ptr_null(ini);
    vt_ini_destroy(&ini); /* harmless */
}
END_TEST

START_TEST(test_sections_and_top_level_keys)
{
    vt_ini *ini = parse("vip-address = tcp://0.0.0.0:22916\n"
                        "[volttron]\n"
                        "message-bus = zmq\n"
                        "\n"
                        "  [Other Section]  \n"
                        "x: 1\n"
                        "[volttron]\n"
                        "instance-name = v1\n");
    ck_assert_str_eq(vt_ini_get(ini, "", "vip-address"), "tcp://0.0.0.0:22916");
    ck_assert_str_eq(vt_ini_get(ini, NULL, "vip-address"), "tcp://0.0.0.0:22916");
    /* A repeated header continues the section. */
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "message-bus"), "zmq");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "instance-name"), "v1");
    /* Section names are case-sensitive, as in ConfigParser. */
    ck_assert_str_eq(vt_ini_get(ini, "Other Section", "x"), "1");
    ck_assert_ptr_null(vt_ini_get(ini, "other section", "x"));
    assert_dump(ini, "vip-address = tcp://0.0.0.0:22916\n"
                     "\n"
                     "[volttron]\n"
                     "message-bus = zmq\n"
                     "instance-name = v1\n"
                     "\n"
                     "[Other Section]\n"
                     "x = 1\n"
                     "\n");
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_delimiters_and_values)
{
    vt_ini *ini = parse("[s]\n"
                        "a=1\n"
                        "b : two words \n"
                        "url: tcp://host:1\n"
                        "eq = x=y:z\n"
                        "empty =\n"
                        "empty2:\n"
                        "\n"
                        "  spaced key  =  v  \n"
                        "crlf = yes\r\n");
    ck_assert_str_eq(vt_ini_get(ini, "s", "a"), "1");
    ck_assert_str_eq(vt_ini_get(ini, "s", "b"), "two words");
    ck_assert_str_eq(vt_ini_get(ini, "s", "url"), "tcp://host:1");
    ck_assert_str_eq(vt_ini_get(ini, "s", "eq"), "x=y:z");
    ck_assert_str_eq(vt_ini_get(ini, "s", "empty"), "");
    ck_assert_str_eq(vt_ini_get(ini, "s", "empty2"), "");
    ck_assert_str_eq(vt_ini_get(ini, "s", "spaced key"), "v");
    ck_assert_str_eq(vt_ini_get(ini, "s", "crlf"), "yes");
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_comments)
{
    vt_ini *ini = parse("# leading comment\n"
                        "; another\n"
                        "[s]\n"
                        "   # indented comment\n"
                        "a = 1 ; not a comment\n"
                        "b = 2 # nor this\n"
                        "\t; comment\n");
    /* ConfigParser strips no inline comments by default. */
    ck_assert_str_eq(vt_ini_get(ini, "s", "a"), "1 ; not a comment");
    ck_assert_str_eq(vt_ini_get(ini, "s", "b"), "2 # nor this");
    ck_assert(!vt_ini_entry(ini, "s", 2, NULL, NULL));
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_continuation_lines)
{
    vt_ini *ini = parse("[s]\n"
                        "multi = first\n"
                        "  second\n"
                        "\tthird: with colon\n"
                        "    fourth\n"
                        "next = 1\n"
                        "ends = here\n"
                        "\n"
                        "  after = blank\n"
                        "  indented = key\n"
                        "    and more\n");
    ck_assert_str_eq(vt_ini_get(ini, "s", "multi"), "first\nsecond\nthird: with colon\nfourth");
    ck_assert_str_eq(vt_ini_get(ini, "s", "next"), "1");
    /* A blank line ends the value; an indented key line after it is a key,
     * and continuation is relative to that key's own indentation. */
    ck_assert_str_eq(vt_ini_get(ini, "s", "ends"), "here");
    ck_assert_str_eq(vt_ini_get(ini, "s", "after"), "blank");
    ck_assert_str_eq(vt_ini_get(ini, "s", "indented"), "key\nand more");
    vt_ini_destroy(&ini);
    /* Indented text right after a key continues it, even if it looks like
     * a header, as in ConfigParser; a section header takes no continuation. */
    /* A comment line ends the value too (ConfigParser with
     * empty_lines_in_values=False). */
    assert_parse_error("[s]\nk = v\n# note\n  more\n",
                       "config:4:3: expected 'key = value' or '[section]', got 'more'");
    ini = parse("[s]\nk = v\n  [t]\n");
    ck_assert_str_eq(vt_ini_get(ini, "s", "k"), "v\n[t]");
    vt_ini_destroy(&ini);
    assert_parse_error("[s]\n  orphan\n",
                       "config:2:3: expected 'key = value' or '[section]', got 'orphan'");
}
END_TEST

START_TEST(test_repeated_keys)
{
    vt_ini *ini = parse("[volttron]\n"
                        "vip-address = tcp://127.0.0.1:22916\n"
                        "message-bus = zmq\n"
                        "VIP-Address = ipc://@/home/volttron/run/vip.socket\n"
                        "  continued\n");
    const char *values[4];
    ck_assert_uint_eq(vt_ini_get_all(ini, "volttron", "vip-address", values, 4), 2);
    ck_assert_str_eq(values[0], "tcp://127.0.0.1:22916");
    ck_assert_str_eq(values[1], "ipc://@/home/volttron/run/vip.socket\ncontinued");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "vip-address"), values[1]);
    /* The count is the total even when max is smaller. */
    ck_assert_uint_eq(vt_ini_get_all(ini, "volttron", "vip-address", values, 1), 2);
    ck_assert_uint_eq(vt_ini_get_all(ini, "volttron", "nope", values, 4), 0);
    ck_assert_uint_eq(vt_ini_get_all(ini, "nosection", "vip-address", values, 4), 0);
    ck_assert_uint_eq(vt_ini_get_all(ini, "volttron", "vip-address", NULL, 0), 2);
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_case_insensitive_keys)
{
    vt_ini *ini = parse("[volttron]\nMessage-Bus = ZMQ\n");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "message-bus"), "ZMQ");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "MESSAGE-BUS"), "ZMQ");
    const char *key;
    ck_assert(vt_ini_entry(ini, "volttron", 0, &key, NULL));
    ck_assert_str_eq(key, "message-bus"); /* stored lower-case */
    vt_ini_set(ini, "volttron", "MESSAGE-bus", "rmq");
    ck_assert_str_eq(vt_ini_get(ini, "volttron", "message-bus"), "rmq");
    ck_assert(vt_ini_remove(ini, "volttron", "Message-Bus"));
    ck_assert_ptr_null(vt_ini_get(ini, "volttron", "message-bus"));
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_get_bool)
{
    vt_ini *ini = parse("[s]\na = yes\nb = No\nc = TRUE\nd = off\ne = 1\nf = 0\ng = On\n"
                        "h = maybe\ni =\n");
    static const struct {
        const char *key;
        bool want;
    } cases[] = {{"a", true}, {"b", false}, {"c", true}, {"d", false},
                 {"e", true}, {"f", false}, {"g", true}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bool v = !cases[i].want;
        ck_assert_int_eq(vt_ini_get_bool(ini, "s", cases[i].key, &v), 0);
        ck_assert_msg(v == cases[i].want, "key %s", cases[i].key);
    }
    bool v = true;
    ck_assert_int_eq(vt_ini_get_bool(ini, "s", "h", &v), -EINVAL);
    ck_assert_str_eq(vt_last_error(), "option 'h' in section [s] is not a boolean: 'maybe'");
    ck_assert(v); /* untouched */
    ck_assert_int_eq(vt_ini_get_bool(ini, "s", "i", &v), -EINVAL);
    ck_assert_int_eq(vt_ini_get_bool(ini, "s", "missing", &v), -ENOENT);
    ck_assert_int_eq(vt_ini_get_bool(ini, "nosection", "a", &v), -ENOENT);
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_set_add_remove)
{
    vt_ini *ini = vt_ini_new();
    assert_dump(ini, "");
    vt_ini_set(ini, "volttron", "message-bus", "zmq");
    vt_ini_add(ini, "volttron", "vip-address", "tcp://127.0.0.1:22916");
    vt_ini_add(ini, "volttron", "vip-address", "tcp://10.0.0.1:22916");
    vt_ini_set(ini, "volttron", "instance-name", "v1");
    const char *values[3];
    ck_assert_uint_eq(vt_ini_get_all(ini, "volttron", "vip-address", values, 3), 2);
    /* set replaces every value, keeping the first one's place. */
    vt_ini_set(ini, "volttron", "vip-address", "tcp://0.0.0.0:22916");
    ck_assert_uint_eq(vt_ini_get_all(ini, "volttron", "vip-address", values, 3), 1);
    vt_ini_set(ini, "volttron", "message-bus", "rmq");
    assert_dump(ini, "[volttron]\n"
                     "message-bus = rmq\n"
                     "vip-address = tcp://0.0.0.0:22916\n"
                     "instance-name = v1\n"
                     "\n");
    ck_assert(vt_ini_remove(ini, "volttron", "vip-address"));
    ck_assert(!vt_ini_remove(ini, "volttron", "vip-address"));
    ck_assert(!vt_ini_remove(ini, "nosection", "vip-address"));
    ck_assert(vt_ini_remove(ini, "volttron", "message-bus"));
    ck_assert(vt_ini_remove(ini, "volttron", "instance-name"));
    /* An emptied section stays, as remove_option leaves it in ConfigParser. */
    assert_dump(ini, "[volttron]\n\n");
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_dump_exact)
{
    vt_ini *ini = vt_ini_new();
    vt_ini_set(ini, "volttron", "message-bus", "zmq");
    vt_ini_set(ini, "volttron", "empty", "");
    vt_ini_set(ini, "web", "lines", "one\ntwo\nthree");
    vt_ini_set(ini, "", "top", "level"); /* written first, without a header */
    assert_dump(ini, "top = level\n"
                     "\n"
                     "[volttron]\n"
                     "message-bus = zmq\n"
                     "empty = \n"
                     "\n"
                     "[web]\n"
                     "lines = one\n"
                     "\ttwo\n"
                     "\tthree\n"
                     "\n");
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_round_trip)
{
    const char *text = "root = 1\n"
                       "[volttron]\n"
                       "Message-Bus = zmq\n"
                       "vip-address = tcp://127.0.0.1:22916\n"
                       "vip-address = tcp://10.0.0.1:22916\n"
                       "instance-name = \"volttron1\"\n"
                       "multi = a\n"
                       "   b\n"
                       "empty =\n"
                       "[web]\n"
                       "bind-web-address = https://myhost:8443\n";
    vt_ini *ini = parse(text);
    char *first = vt_ini_dump(ini);
    vt_ini *again = parse(first);
    char *second = vt_ini_dump(again);
    ck_assert_str_eq(first, second);
    ck_assert_str_eq(vt_ini_get(again, "volttron", "multi"), "a\nb");
    ck_assert_str_eq(vt_ini_get(again, "volttron", "empty"), "");
    ck_assert_str_eq(vt_ini_get(again, "", "root"), "1");
    const char *values[2];
    ck_assert_uint_eq(vt_ini_get_all(again, "volttron", "vip-address", values, 2), 2);
    free(first);
    free(second);
    vt_ini_destroy(&ini);
    vt_ini_destroy(&again);
}
END_TEST

/* Found by fuzzing (tests/fuzz/fuzz_ini.c): a key made of or starting with
 * the BOM's bytes, written as the first line, used to read back as a BOM
 * followed by a line without a key. */
START_TEST(test_round_trip_bom_key)
{
    vt_ini *ini = parse("\t\xEF\xBB\xBF = 1\n\t\xEF\xBB\xBF~ = 2\n");
    ck_assert_str_eq(vt_ini_get(ini, "", "\xEF\xBB\xBF"), "1");
    char *first = vt_ini_dump(ini);
    vt_ini *again = parse(first);
    ck_assert_str_eq(vt_ini_get(again, "", "\xEF\xBB\xBF"), "1");
    ck_assert_str_eq(vt_ini_get(again, "", "\xEF\xBB\xBF~"), "2");
    char *second = vt_ini_dump(again);
    ck_assert_str_eq(first, second);
    free(first);
    free(second);
    vt_ini_destroy(&ini);
    vt_ini_destroy(&again);
}
END_TEST

START_TEST(test_save_and_load)
{
    char *path = vt_fs_path_join(dir, "config");
    vt_ini *ini = parse(volttron_config);
    ck_assert_int_eq(vt_ini_save(ini, path, 0640), 0);
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 07777, 0640);
    /* Replacing the file leaves no temporary file behind. */
    vt_ini_set(ini, "volttron", "message-bus", "rmq");
    ck_assert_int_eq(vt_ini_save(ini, path, 0640), 0);
    char *cmd = vt_asprintf("test $(ls -A %s | wc -l) -eq 1", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    vt_ini *loaded = vt_ini_load(path);
    ck_assert_ptr_nonnull(loaded);
    ck_assert_str_eq(vt_ini_get(loaded, "volttron", "message-bus"), "rmq");
    ck_assert_str_eq(vt_ini_get(loaded, "volttron", "instance-name"), "\"volttron1\"");
    vt_ini_destroy(&loaded);
    /* Saving into a missing directory fails and names the path. */
    char *bad = vt_fs_path_join(dir, "no/such/config");
    ck_assert_int_lt(vt_ini_save(ini, bad, 0644), 0);
    ck_assert_ptr_nonnull(strstr(vt_last_error(), bad));
    free(bad);
    vt_ini_destroy(&ini);
    free(path);
}
END_TEST

START_TEST(test_load_errors)
{
    char *missing = vt_fs_path_join(dir, "missing");
    ck_assert_ptr_null(vt_ini_load(missing));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), missing));
    free(missing);

    char *big = vt_fs_path_join(dir, "big");
    int fd = open(big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, 1024 * 1024 + 1), 0);
    close(fd);
    ck_assert_ptr_null(vt_ini_load(big));
    ck_assert_ptr_nonnull(strstr(vt_last_error(), big));
    free(big);

    char *bad = vt_test_write_file(dir, "bad", "[volttron]\nmessage-bus zmq\n");
    ck_assert_ptr_null(vt_ini_load(bad));
    char *expected =
        vt_asprintf("%s:2:1: expected 'key = value' or '[section]', got 'message-bus zmq'", bad);
    ck_assert_str_eq(vt_last_error(), expected);
    free(expected);
    free(bad);
}
END_TEST

START_TEST(test_parse_errors)
{
    assert_parse_error("[volttron]\nmessage-bus = zmq\n\n   just words  \n",
                       "config:4:4: expected 'key = value' or '[section]', got 'just words'");
    assert_parse_error("\n\n  [volttron\n", "config:3:3: unterminated section header: '[volttron'");
    assert_parse_error("[]\n", "config:1:1: empty section name: '[]'");
    assert_parse_error("[s]\n = value\n",
                       "config:2:2: missing key before the delimiter in '= value'");
    static const char nul[] = "[s]\na = 1\nb\0 = 2\n";
    ck_assert_ptr_null(vt_ini_parse(nul, sizeof nul - 1, "config"));
    ck_assert_str_eq(vt_last_error(), "config:3: NUL byte in the file");
    /* Not nul-terminated, and the default name. */
    ck_assert_ptr_null(vt_ini_parse("[s]\na = 1\nb = 2\n", 11, NULL));
    ck_assert_str_eq(vt_last_error(), "INI:3:1: expected 'key = value' or '[section]', got 'b'");
}
END_TEST

START_TEST(test_parse_edge_cases)
{
    vt_ini *ini = parse("");
    assert_dump(ini, "");
    vt_ini_destroy(&ini);
    /* A BOM, a header with trailing text (ignored, as the ConfigParser
     * pattern matches only the start), and no final newline. */
    ini = parse("\xEF\xBB\xBF[a] trailing\nk = v");
    ck_assert_str_eq(vt_ini_get(ini, "a", "k"), "v");
    vt_ini_destroy(&ini);
    /* Names run to the last ']' and keep inner spaces, as in ConfigParser. */
    ini = parse("[ spaced ]\nk = 1\n[a]b]\nk = 2\n");
    ck_assert_str_eq(vt_ini_get(ini, " spaced ", "k"), "1");
    ck_assert_str_eq(vt_ini_get(ini, "a]b", "k"), "2");
    vt_ini_destroy(&ini);
    /* Not nul-terminated: only len bytes are read. */
    ini = vt_ini_parse("[s]\nk = value-and-more", 10, "cut");
    ck_assert_ptr_nonnull(ini);
    ck_assert_str_eq(vt_ini_get(ini, "s", "k"), "va");
    vt_ini_destroy(&ini);
}
END_TEST

START_TEST(test_unquote)
{
    static const char *const cases[][2] = {
        {"volttron1", "volttron1"},
        {"\"volttron1\"", "volttron1"},
        {"'volttron1'", "volttron1"},
        {"", ""},
        {"   ", ""},
        {"\"\"", ""},
        {"'a b'", "a b"},
        {"\"a b\"", "a b"},
        {"pre'mid'\"post\"", "premidpost"},
        {"'single \\ keeps \" all $x'", "single \\ keeps \" all $x"},
        {"\"esc \\\" \\\\ \\$ \\` done\"", "esc \" \\ $ ` done"},
        {"\"keep \\n \\t \\a\"", "keep \\n \\t \\a"},
        {"a\\ b\\'c\\\"d\\\\", "a b'c\"d\\"},
        {"\"line\\\njoined\"", "linejoined"},
        {"  two   words  ", "two words"},
        {"a \"\" b", "a  b"},
        {"tcp://127.0.0.1:22916", "tcp://127.0.0.1:22916"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = vt_ini_unquote(cases[i][0]);
        ck_assert_msg(got, "%s: %s", cases[i][0], vt_last_error());
        ck_assert_msg(strcmp(got, cases[i][1]) == 0, "unquote [%s] gave [%s], want [%s]",
                      cases[i][0], got, cases[i][1]);
        free(got);
    }
    ck_assert_ptr_null(vt_ini_unquote("\"volttron1"));
    ck_assert_str_eq(vt_last_error(), "unterminated double quote in '\"volttron1'");
    ck_assert_ptr_null(vt_ini_unquote("it's"));
    ck_assert_str_eq(vt_last_error(), "unterminated single quote in 'it's'");
    ck_assert_ptr_null(vt_ini_unquote("\"a\\\""));
    ck_assert_ptr_null(vt_ini_unquote("trailing\\"));
    ck_assert_str_eq(vt_last_error(), "backslash at the end in 'trailing\\'");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ini");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_volttron_config);
    tcase_add_test(tc, test_sections_and_top_level_keys);
    tcase_add_test(tc, test_delimiters_and_values);
    tcase_add_test(tc, test_comments);
    tcase_add_test(tc, test_continuation_lines);
    tcase_add_test(tc, test_repeated_keys);
    tcase_add_test(tc, test_case_insensitive_keys);
    tcase_add_test(tc, test_get_bool);
    tcase_add_test(tc, test_set_add_remove);
    tcase_add_test(tc, test_dump_exact);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_round_trip_bom_key);
    tcase_add_test(tc, test_save_and_load);
    tcase_add_test(tc, test_load_errors);
    tcase_add_test(tc, test_parse_errors);
    tcase_add_test(tc, test_parse_edge_cases);
    tcase_add_test(tc, test_unquote);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return vt_test_run(suite());
}
