// A C++ program for symbolizer tests: templates, lambdas, virtual calls, namespaces, inlining.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shapes {
struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual std::string name() const { return "shape"; }
};
struct Circle final : Shape {
  double r;
  explicit Circle(double r) : r(r) {}
  double area() const override { return 3.14159 * r * r; }
  std::string name() const override { return "circle"; }
};
struct Rect : Shape {
  double w, h;
  Rect(double w, double h) : w(w), h(h) {}
  double area() const override { return w * h; }
};
}  // namespace shapes

template <typename T, int N>
struct Accumulator {
  T values[N] = {};
  int pos = 0;
  void add(T v) { values[pos++ % N] += v; }
  T sum() const {
    T s = T();
    for (int i = 0; i < N; i++) s += values[i];
    return s;
  }
};

template <typename F>
static double apply_n(F f, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += f(i);
  return s;
}

static inline int square(int x) { return x * x; }

int main(int argc, char **argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 50;
  std::vector<std::unique_ptr<shapes::Shape>> v;
  for (int i = 0; i < n; i++) {
    if (i % 2) v.push_back(std::make_unique<shapes::Circle>(i));
    else v.push_back(std::make_unique<shapes::Rect>(i, i + 1));
  }
  Accumulator<double, 8> acc;
  std::map<std::string, int> counts;
  for (auto &s : v) {
    acc.add(s->area());
    counts[s->name()]++;
  }
  std::sort(v.begin(), v.end(), [](const auto &a, const auto &b) { return a->area() < b->area(); });
  int k = 3;
  double t = apply_n([k](int i) { return square(i) * k; }, n);
  std::function<long(long)> f = [&](long x) { return x < 2 ? x : f(x - 1) + f(x - 2); };
  Accumulator<long, 4> acc2;
  for (int i = 0; i < 10; i++) acc2.add(f(i));
  std::printf("%f %f %ld %zu\n", acc.sum(), t, acc2.sum(), counts.size());
  return 0;
}
