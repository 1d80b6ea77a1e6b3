// Large work arrays on transparent huge pages.
//
// On the project's virtual machines a page fault costs about 4 us, so first
// touching a fresh 80 MB array of 4 KB pages costs about 80 ms; with the
// kernel's transparent huge pages in madvise mode, the same array advised
// before its first touch faults in 2 MB pages (512 times fewer faults). The
// memory is reserved, the 2 MB-aligned interior advised, then filled, as the
// CSV reader's columns and file text and the estimation's arrays use it:
// data/csv.cc, data/file_read.cc, econ/). Memory that the allocator
// hands back from earlier, already touched, is unaffected. Results do not
// change: this is only where the bytes live.
#ifndef REBALANCE_CORE_HUGE_PAGES_H_
#define REBALANCE_CORE_HUGE_PAGES_H_

#include <sys/mman.h>

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

namespace rebalance::core {

// Advises [p, p + bytes) for huge pages (its 2 MB-aligned interior).
inline void AdviseHugePages(const void* p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  if (bytes < kHuge) return;
  const auto b = reinterpret_cast<uintptr_t>(p);
  const uintptr_t hb = (b + kHuge - 1) & ~(kHuge - 1), he = (b + bytes) & ~(kHuge - 1);
  if (he > hb) ::madvise(reinterpret_cast<void*>(hb), he - hb, MADV_HUGEPAGE);
#else
  (void)p, (void)bytes;
#endif
}

// v.assign(n, value), advised before the first touch when v grows.
template <class T>
void AssignHuge(std::vector<T>& v, size_t n, T value = T()) {
  if (v.capacity() < n) {
    std::vector<T>().swap(v);
    v.reserve(n);
    AdviseHugePages(v.data(), n * sizeof(T));
  }
  v.assign(n, value);
}

// v.resize(n) (new elements value-initialised), advised when v grows.
template <class T>
void ResizeHuge(std::vector<T>& v, size_t n) {
  if (v.capacity() < n) {
    std::vector<T> w;
    w.reserve(n);
    AdviseHugePages(w.data(), n * sizeof(T));
    w.insert(w.end(), v.begin(), v.end());
    v.swap(w);
  }
  v.resize(n);
}

// v.reserve(n), advised when v grows.
template <class T, class A>
void ReserveHuge(std::vector<T, A>& v, size_t n) {
  if (v.capacity() >= n) return;
  std::vector<T, A> w;
  w.reserve(n);
  AdviseHugePages(w.data(), n * sizeof(T));
  w.insert(w.end(), v.begin(), v.end());
  v.swap(w);
}

// Index i, read as f(i): a random-access range that insert() copies from
// (AppendGenerated).
template <class T, class F>
struct GeneratedIterator {
  using iterator_category = std::random_access_iterator_tag;
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using pointer = const T*;
  using reference = T;
  size_t i;
  const F* f;
  T operator*() const { return (*f)(i); }
  T operator[](difference_type d) const { return (*f)(i + static_cast<size_t>(d)); }
  GeneratedIterator& operator++() { return ++i, *this; }
  GeneratedIterator operator++(int) { return GeneratedIterator{i++, f}; }
  GeneratedIterator& operator--() { return --i, *this; }
  GeneratedIterator operator--(int) { return GeneratedIterator{i--, f}; }
  GeneratedIterator& operator+=(difference_type d) { return i += static_cast<size_t>(d), *this; }
  GeneratedIterator& operator-=(difference_type d) { return i -= static_cast<size_t>(d), *this; }
  GeneratedIterator operator+(difference_type d) const {
    return GeneratedIterator{i + static_cast<size_t>(d), f};
  }
  GeneratedIterator operator-(difference_type d) const {
    return GeneratedIterator{i - static_cast<size_t>(d), f};
  }
  difference_type operator-(const GeneratedIterator& o) const {
    return static_cast<difference_type>(i) - static_cast<difference_type>(o.i);
  }
  bool operator==(const GeneratedIterator& o) const { return i == o.i; }
  auto operator<=>(const GeneratedIterator& o) const { return i <=> o.i; }
};

// Appends f(0), ..., f(n - 1) to v, each element written once, in order (no
// zero fill first, unlike resize and a loop), advised when v grows. v stays a
// std::vector of its own type; f may be called more than once for an index.
template <class T, class A, class F>
void AppendGenerated(std::vector<T, A>& v, size_t n, const F& f) {
  ReserveHuge(v, v.size() + n);
  v.insert(v.end(), GeneratedIterator<T, F>{0, &f}, GeneratedIterator<T, F>{n, &f});
}

// An array of n uninitialised values (every element to be written before it
// is read), advised before the first touch.
template <class T>
std::unique_ptr<T[]> NewHugeArray(size_t n) {
  std::unique_ptr<T[]> p(new T[n]);
  AdviseHugePages(p.get(), n * sizeof(T));
  return p;
}

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_HUGE_PAGES_H_
