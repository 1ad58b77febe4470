// OpAttrs keeps the type its attributes were stored as: reading them back as that type works (const or
// not), reading them as any other type, or reading none, is an internal error naming both types.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "ops/op_schema.h"

namespace webconv::ops {
namespace {

struct First {
  int value = 7;
};
struct Second {
  double value = 2.5;
};

TEST(OpAttrs, ReadBackAsTheStoredTypeOnly) {
  OpAttrs a = std::make_shared<First>();
  EXPECT_TRUE(static_cast<bool>(a));
  EXPECT_EQ(a.As<First>().value, 7);
  OpAttrs c = std::make_shared<const Second>();
  EXPECT_EQ(c.As<Second>().value, 2.5);
  try {
    a.As<Second>();
    ADD_FAILURE() << "attributes of one type were read as another";
  } catch (const std::logic_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("internal: attributes of type"), std::string::npos) << what;
    EXPECT_NE(what.find("First"), std::string::npos) << what;
    EXPECT_NE(what.find("Second"), std::string::npos) << what;
  }
  OpAttrs none = nullptr;
  EXPECT_FALSE(static_cast<bool>(none));
  EXPECT_THROW(none.As<First>(), std::logic_error);
  // The contexts' Attrs<T>() read through the same check.
  InferContext ctx;
  ctx.attrs = a;
  EXPECT_EQ(ctx.Attrs<First>().value, 7);
  EXPECT_THROW(ctx.Attrs<Second>(), std::logic_error);
}

}  // namespace
}  // namespace webconv::ops
