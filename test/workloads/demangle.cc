// Exercises C++ mangling features for the demangler oracle test (test/demangle-itanium.test.ts):
// templates with return types, lambdas, operators, abi tags, std::function, unique_ptr, maps of
// vectors of pairs, virtual and virtual-base thunks, TLS wrappers, guard variables, local names,
// pointers to members, arrays, packs and fold expressions, noexcept, clones (-O2).
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace shapes {
struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual Shape *clone() const = 0;
};
struct Square : Shape {
  double s;
  explicit Square(double v) : s(v) {}
  double area() const override { return s * s; }
  Square *clone() const override { return new Square(*this); }
};
struct Base1 { virtual void f1() {} virtual ~Base1() {} int a = 1; };
struct Base2 { virtual void f2() {} virtual ~Base2() {} int b = 2; };
struct Multi : Base1, Base2 { void f2() override { std::puts("multi"); } };
struct VBase { virtual void g() {} virtual ~VBase() {} int v = 3; };
struct Left : virtual VBase { void g() override {} };
struct Right : virtual VBase {};
struct Diamond : Left, Right { void g() override { std::puts("diamond"); } };
}  // namespace shapes

namespace {
struct Hidden { int x; };
int hidden_fn(Hidden h) { return h.x * 3; }
}  // namespace

struct Vec2 {
  double x, y;
  Vec2 operator+(const Vec2 &o) const { return {x + o.x, y + o.y}; }
  Vec2 &operator+=(const Vec2 &o) { x += o.x; y += o.y; return *this; }
  bool operator==(const Vec2 &o) const { return x == o.x && y == o.y; }
  bool operator<(const Vec2 &o) const { return x < o.x; }
  double operator[](int i) const { return i ? y : x; }
  double operator()(double k) const { return k * x; }
  explicit operator bool() const { return x != 0 || y != 0; }
  operator double() const { return x + y; }
  void *operator new(std::size_t n) { return std::malloc(n); }
  void operator delete(void *p) { std::free(p); }
  void *operator new[](std::size_t n) { return std::malloc(n); }
  void operator delete[](void *p) { std::free(p); }
};
unsigned long long operator""_km(unsigned long long v) { return v * 1000; }

template <typename T, int N>
struct Buffer {
  T data[N];
  T &at(int i) { return data[i]; }
  template <typename F>
  auto map(F f) const -> Buffer<decltype(f(data[0])), N> {
    Buffer<decltype(f(data[0])), N> out{};
    for (int i = 0; i < N; i++) out.data[i] = f(data[i]);
    return out;
  }
};

template <typename... Ts>
auto sum_all(Ts... ts) -> decltype((ts + ...)) { return (ts + ...); }

template <typename T>
T twice(T v) { return v + v; }

template <typename T>
void destroy_all(std::vector<std::unique_ptr<T>> &v) { v.clear(); }

inline namespace abi_v2 {
struct __attribute__((abi_tag("tagged"))) Tagged { int t; };
Tagged make_tagged(int v) { return Tagged{v}; }
}

std::string join(const std::map<std::string, std::vector<std::pair<int, std::string>>> &m) {
  std::string out;
  for (const auto &[k, v] : m) {
    out += k;
    for (const auto &p : v) out += std::to_string(p.first) + p.second;
  }
  return out;
}

int counter() {
  static int calls = std::rand() % 3;
  return ++calls;
}

thread_local std::string tls_name = "tls";

double apply_member(shapes::Square &s, double (shapes::Square::*pm)() const) { return (s.*pm)(); }
int sum_array(const int (&arr)[4]) { return arr[0] + arr[1] + arr[2] + arr[3]; }
void takes_fnptr(void (*fp)(int), int v) noexcept { fp(v); }
void printer(int v) { std::printf("%d\n", v); }
__attribute__((noinline)) static int cold_path(int v) {
  if (__builtin_expect(v == 12345, 0)) { std::puts("rare"); std::abort(); }
  return v + 1;
}

int main(int argc, char **argv) {
  std::vector<std::unique_ptr<shapes::Shape>> shapes_list;
  for (int i = 0; i < argc + 2; i++) shapes_list.push_back(std::make_unique<shapes::Square>(i + 0.5));
  double total = 0;
  for (auto &s : shapes_list) total += s->area();
  std::unique_ptr<shapes::Shape> c(shapes_list[0]->clone());
  destroy_all(shapes_list);

  std::function<int(int, const std::string &)> fn = [&](int a, const std::string &s) { return a + (int)s.size() + argc; };
  auto generic = [](auto x, auto &&y) { return x * y; };
  auto nested = [argc] { return [argc](int k) { static int seen = 0; return k + argc + ++seen; }; };

  std::map<std::string, std::vector<std::pair<int, std::string>>> m;
  m["a"].push_back({1, "x"});
  m[argv[0]].emplace_back(argc, "y");

  Buffer<int, 4> b{{1, 2, 3, 4}};
  auto doubled = b.map([](int v) { return v * 2.5; });
  Vec2 v1{1, 2}, v2{3, 4};
  v1 += v2;
  Vec2 *heap = new Vec2{5, 6};
  Vec2 *arr = new Vec2[2];
  shapes::Multi mu;
  shapes::Base2 *b2 = &mu;
  b2->f2();
  shapes::Diamond dm;
  shapes::VBase *vb = &dm;
  vb->g();
  shapes::Square sq(3);
  int a4[4] = {1, 2, 3, argc};
  takes_fnptr(printer, argc);
  std::printf("%f %d %f %d %f %d %d %d %llu %f %d %d %d %s %d %d\n", total, fn(argc, "hi"), generic(2.0, argc),
              nested()(argc), doubled.at(1), (int)(v1 + v2)[1], v1 == v2, hidden_fn(Hidden{argc}), 3_km,
              apply_member(sq, &shapes::Square::area), sum_array(a4), sum_all(1, argc, 3),
              make_tagged(argc).t + counter(), (join(m) + tls_name).c_str(), twice(argc), cold_path(argc));
  delete heap;
  delete[] arr;
  return v1 < v2 ? 0 : (bool)v1 + (int)(double)v2;
}
