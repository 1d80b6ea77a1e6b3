// Vectors of numbers that resize without a zero fill.
//
// std::vector<double>::resize(n) value-initialises the new elements: it
// writes zeros, one full pass over memory that is then overwritten anyway
// (the CSV reader's columns, fixed-effect codes, the sample's rows). On the
// project's virtual machines that pass over fresh memory costs about as
// much as the useful one. UninitVector<T> is a std::vector whose allocator
// default-initialises instead: resize(n) and UninitVector<T>(n) leave the
// new numbers unwritten (each must be written before it is read), while
// resize(n, value), assign and insert write as std::vector does.
#ifndef REBALANCE_CORE_DEFAULT_INIT_H_
#define REBALANCE_CORE_DEFAULT_INIT_H_

#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace rebalance::core {

// std::allocator, except that an element constructed without a value is
// default-initialised (a number is left unwritten) instead of
// value-initialised (zero): resize(n) and vector(n) write nothing, while
// resize(n, value), assign and insert write as always.
template <class T>
class DefaultInitAllocator : public std::allocator<T> {
 public:
  using value_type = T;
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  DefaultInitAllocator() noexcept = default;
  template <class U>
  DefaultInitAllocator(const DefaultInitAllocator<U>&) noexcept {}  // NOLINT(runtime/explicit)
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T, class U>
bool operator==(const DefaultInitAllocator<T>&, const DefaultInitAllocator<U>&) noexcept {
  return true;
}

// A vector of numbers whose resize(n) does not zero-fill (see above).
template <class T>
using UninitVector = std::vector<T, DefaultInitAllocator<T>>;

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_DEFAULT_INIT_H_
