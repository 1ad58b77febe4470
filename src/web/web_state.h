// State behind the exported C functions of the WebAssembly module (web_abi.md): the last error, the
// string a function returned most recently, and the tables that map the integer handles JS holds to
// sessions and tensors. The module runs on one thread, so the state is plain globals.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/host_tensor.h"
#include "common/json.h"  // JsonString, JsonNumber for the *_json functions
#include "common/status.h"

namespace webconv::web {

// The text wc_last_error() returns.
std::string& LastError();
// Sets the text wc_last_error() returns. Always returns 0, the failure value of every handle/flag.
int SetError(const std::string& message);
int SetError(const Status& status);

// Keeps `s` until the next call that returns a string, and returns a pointer into it.
const char* ReturnString(std::string s);

// Positive integer handles for objects the module owns; 0 is never a handle.
template <typename T>
class HandleTable {
 public:
  int Add(std::unique_ptr<T> object) {
    const int id = next_++;
    objects_[id] = std::move(object);
    return id;
  }
  T* Find(int id) {
    auto it = objects_.find(id);
    return it == objects_.end() ? nullptr : it->second.get();
  }
  void Erase(int id) { objects_.erase(id); }

 private:
  int next_ = 1;
  std::map<int, std::unique_ptr<T>> objects_;
};

// A host tensor held for JS: an output of a run or a parsed .pb/.npy file.
struct WebTensor {
  std::string name;
  HostTensor tensor;
};
HandleTable<WebTensor>& Tensors();


}  // namespace webconv::web
