// The virtualised list's arithmetic: prefix sums, item lookup, and a scroll position that
// stays on what the user reads while heights are measured and history is prepended.
#include "ui/message_list.h"

#include <memory>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace imchat::ui {
namespace {

struct Item {
  float estimate = 100;
};
using Items = std::vector<std::shared_ptr<Item>>;

Items make_items(size_t n, float estimate = 100) {
  Items items;
  for (size_t i = 0; i < n; ++i)
    items.push_back(std::make_shared<Item>(Item{estimate}));
  return items;
}

size_t update(ListWindow& window, const Items& items) {
  return window.update(items, [](const Item& item) { return item.estimate; });
}

TEST(HeightIndexTest, TopsAndFindAgreeWithANaiveSumAfterUpdates) {
  std::vector<float> heights(1000);
  for (size_t i = 0; i < heights.size(); ++i)
    heights[i] = static_cast<float>(10 + (i * 37) % 90);
  HeightIndex index;
  index.assign(heights);
  for (size_t i = 0; i < heights.size(); i += 7) {
    heights[i] = static_cast<float>(5 + (i * 13) % 200);
    index.set(i, heights[i]);
  }
  double sum = 0;
  for (size_t i = 0; i < heights.size(); ++i) {
    ASSERT_DOUBLE_EQ(index.top(i), sum) << i;
    EXPECT_EQ(index.find(sum), i);
    EXPECT_EQ(index.find(sum + heights[i] - 0.5), i);
    sum += heights[i];
  }
  EXPECT_DOUBLE_EQ(index.total(), sum);
  EXPECT_EQ(index.find(sum + 1000), heights.size() - 1);
  EXPECT_EQ(index.find(-5), 0u);
}

TEST(HeightIndexTest, EmptyAndSingle) {
  HeightIndex index;
  index.assign({});
  EXPECT_EQ(index.total(), 0);
  EXPECT_EQ(index.find(10), 0u);
  index.assign({42});
  EXPECT_EQ(index.find(41), 0u);
  EXPECT_EQ(index.total(), 42);
}

TEST(ListWindowTest, FollowsTheBottomUntilTheUserScrollsUp) {
  ListWindow window;
  window.set_viewport(250);
  Items items = make_items(10);
  EXPECT_EQ(update(window, items), 10u);
  EXPECT_TRUE(window.at_bottom());
  EXPECT_DOUBLE_EQ(window.scroll(), 750);
  EXPECT_EQ(window.first_visible(), 7u);
  EXPECT_EQ(window.end_visible(), 10u);

  items.push_back(std::make_shared<Item>());
  EXPECT_EQ(update(window, items), 1u);
  EXPECT_DOUBLE_EQ(window.scroll(), 850);  // followed

  window.scroll_by(-300);
  EXPECT_FALSE(window.at_bottom());
  EXPECT_DOUBLE_EQ(window.scroll(), 550);
  items.push_back(std::make_shared<Item>());
  items.push_back(std::make_shared<Item>());
  EXPECT_EQ(update(window, items), 2u);    // the "↓ 2 new" pill
  EXPECT_DOUBLE_EQ(window.scroll(), 550);  // did not follow

  window.scroll_by(10000);
  EXPECT_TRUE(window.at_bottom());
}

TEST(ListWindowTest, MeasuringItemsAboveTheViewDoesNotMoveIt) {
  ListWindow window;
  window.set_viewport(300);
  Items items = make_items(50);
  update(window, items);
  window.scroll_to(2050);  // item 20, 50 px in
  ASSERT_EQ(window.first_visible(), 20u);
  for (size_t i = 0; i < 20; ++i)
    window.set_height(i, 40);  // measured smaller than estimated
  EXPECT_EQ(window.first_visible(), 20u);
  EXPECT_DOUBLE_EQ(window.scroll(), 20 * 40 + 50);
  EXPECT_TRUE(window.measured(3));
  EXPECT_FALSE(window.measured(30));
}

TEST(ListWindowTest, PrependingOlderHistoryKeepsTheAnchorAndTheMeasuredHeights) {
  ListWindow window;
  window.set_viewport(300);
  Items items = make_items(20);
  update(window, items);
  window.set_height(0, 70);
  window.scroll_to(15);  // the user scrolled to the top to load more
  const Items older = make_items(30, 80);
  Items all = older;
  all.insert(all.end(), items.begin(), items.end());
  EXPECT_EQ(update(window, all), 0u);  // nothing new at the bottom
  EXPECT_EQ(window.first_visible(), 30u);
  EXPECT_DOUBLE_EQ(window.scroll(), 30 * 80 + 15);
  EXPECT_TRUE(window.measured(30));
  EXPECT_FLOAT_EQ(window.heights().height(30), 70);
  EXPECT_FALSE(window.measured(0));
}

TEST(ListWindowTest, AReplacedItemKeepsItsOldHeightUntilMeasuredAndARemovedOneGoes) {
  ListWindow window;
  window.set_viewport(300);
  Items items = make_items(10);
  update(window, items);
  window.set_height(9, 120);
  items[9] = std::make_shared<Item>(Item{5});  // a streaming reply's new version
  update(window, items);
  EXPECT_FLOAT_EQ(window.heights().height(9), 120);
  EXPECT_FALSE(window.measured(9));

  window.scroll_to(500);  // item 5
  items.erase(items.begin() + 2);
  EXPECT_EQ(update(window, items), 0u);
  EXPECT_EQ(window.size(), 9u);
  EXPECT_EQ(window.first_visible(), 4u);  // the same item, one place earlier
  EXPECT_DOUBLE_EQ(window.scroll(), 400);
}

TEST(ListWindowTest, OlderItemsLetGoMoveTheAnchorWithTheirFollowers) {
  ListWindow window;
  window.set_viewport(300);
  Items items = make_items(40);
  update(window, items);
  window.scroll_to(3000);  // item 30
  Items kept(items.begin() + 10, items.end());
  update(window, kept);
  EXPECT_EQ(window.first_visible(), 20u);
  EXPECT_DOUBLE_EQ(window.scroll(), 2000);
}

}  // namespace
}  // namespace imchat::ui

namespace imchat::ui {
namespace {

TEST(HeightIndexTest, ReplacingTheTailAgreesWithAssigningEverything) {
  std::vector<float> heights;
  HeightIndex grown;
  for (size_t n = 0; n < 300; ++n) {
    heights.push_back(static_cast<float>(10 + (n * 53) % 170));
    grown.push_back(heights.back());
  }
  for (size_t keep : {0u, 1u, 64u, 100u, 255u, 299u, 300u}) {
    std::vector<float> tail(37, 0);
    for (size_t i = 0; i < tail.size(); ++i)
      tail[i] = static_cast<float>(3 + (i * 11 + keep) % 90);
    std::vector<float> expected(heights.begin(),
                                heights.begin() + static_cast<std::ptrdiff_t>(keep));
    expected.insert(expected.end(), tail.begin(), tail.end());
    HeightIndex index = grown;
    index.replace_tail(keep, tail);
    HeightIndex fresh;
    fresh.assign(expected);
    ASSERT_EQ(index.size(), expected.size());
    double sum = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_DOUBLE_EQ(index.top(i), fresh.top(i)) << "keep " << keep << " at " << i;
      ASSERT_EQ(index.find(sum + 1), i) << "keep " << keep;
      sum += expected[i];
    }
    EXPECT_DOUBLE_EQ(index.total(), sum);
  }
}

// The streaming path: told which prefix is unchanged, the window must end exactly where a
// full realignment would — heights, anchor, scroll and the "new" count — for appends,
// replaced and removed items at the end, with the view anywhere.
TEST(ListWindowTest, UpdatingOnlyTheChangedTailMatchesAFullUpdate) {
  Items items = make_items(400, 60);
  ListWindow full, tail;
  for (ListWindow* w : {&full, &tail}) {
    w->set_viewport(500);
    update(*w, items);
    for (size_t i = 350; i < 400; ++i)
      w->set_height(i, static_cast<float>(40 + i % 50));
  }
  const auto estimate = [](const Item& item) { return item.estimate; };
  for (int step = 0; step < 120; ++step) {
    size_t unchanged = items.size();
    switch (step % 5) {
      case 0:  // a message arrives
        items.push_back(std::make_shared<Item>(Item{static_cast<float>(30 + step)}));
        unchanged = items.size() - 1;
        break;
      case 1:  // the streaming reply grows: a new version of the last item
      case 2:
        items.back() = std::make_shared<Item>(Item{static_cast<float>(50 + step)});
        unchanged = items.size() - 1;
        break;
      case 3:  // one deleted near the end
        unchanged = items.size() - 3;
        items.erase(items.end() - 3);
        break;
      case 4:  // the user scrolls: sometimes up into the kept part, sometimes the tail
        for (ListWindow* w : {&full, &tail})
          w->scroll_to(step % 2 ? w->max_scroll() - 200 : w->heights().total() * 0.3);
        break;
    }
    const size_t a = full.update(items, estimate);
    const size_t b = tail.update(items, estimate, unchanged);
    ASSERT_EQ(a, b) << "step " << step;
    ASSERT_EQ(full.size(), tail.size());
    for (size_t i = 0; i < items.size(); i += 13)
      ASSERT_DOUBLE_EQ(full.heights().top(i), tail.heights().top(i)) << "step " << step;
    ASSERT_DOUBLE_EQ(full.scroll(), tail.scroll()) << "step " << step;
    ASSERT_EQ(full.at_bottom(), tail.at_bottom());
    ASSERT_EQ(full.first_visible(), tail.first_visible());
    // Measure what is visible, as the view does.
    for (ListWindow* w : {&full, &tail})
      for (size_t i = w->first_visible(); i < w->end_visible(); ++i)
        w->set_height(i, static_cast<float>(45 + (i * 7) % 40));
  }
}

}  // namespace
}  // namespace imchat::ui
