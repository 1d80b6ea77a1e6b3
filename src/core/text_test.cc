#include "rebalance/core/text.h"

#include <string>

#include <gtest/gtest.h>

namespace rebalance::core {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("USA"));
  EXPECT_TRUE(IsValidUtf8("C\xc3\xb4te d'Ivoire"));  // U+00F4
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));          // U+20AC
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\x80"));      // U+1F600
  EXPECT_TRUE(IsValidUtf8("\xf4\x8f\xbf\xbf"));      // U+10FFFF
}

TEST(Utf8, RejectsIllFormedSequencesAtTheirOffset) {
  struct Case {
    std::string text;
    size_t bad;
  };
  for (const Case& c : {Case{"ab\xff", 2}, Case{"\xc3", 0}, Case{"x\xc0\xaf", 1},  // overlong '/'
                        Case{"\xe0\x80\xaf", 0}, Case{"\xed\xa0\x80", 0},  // overlong, surrogate
                        Case{"\xf4\x90\x80\x80", 0}, Case{"ok\x80", 2}, Case{"\xe2\x82", 0}}) {
    size_t bad = 99;
    EXPECT_FALSE(IsValidUtf8(c.text, &bad)) << c.text;
    EXPECT_EQ(bad, c.bad) << c.text;
  }
}

TEST(PrintableText, EscapesControlAndInvalidBytesKeepsUtf8) {
  EXPECT_EQ(PrintableText("a\x01"
                          "b\x7f"),
            "a\\x01b\\x7f");
  EXPECT_EQ(PrintableText("\xff\xfe"
                          "x"),
            "\\xff\\xfex");
  EXPECT_EQ(PrintableText("C\xc3\xb4te\nline\ttab"), "C\xc3\xb4te\nline\ttab");
  EXPECT_EQ(PrintableText("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_TRUE(IsValidUtf8(PrintableText("\xc3\x28\xa0\xa1\xe2\x28\xa1")));
}

}  // namespace
}  // namespace rebalance::core
