// Writing a result file so that nothing already on disk is lost: the bytes go to a temporary file in
// the target's folder, are flushed to the disk and checked, and only then renamed over the target. A
// failed write (a full disk, a size limit) removes the temporary file and leaves the old one as it was.
//
// The target itself is checked before anything is written and again just before the rename: a symbolic
// link or anything that is not a regular file is refused (a link would send the bytes elsewhere), and so
// is a file that is one of the `protect`ed files under another name (a hard link to an input).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace webconv {

// A file's identity on its file system (device and inode), which every name of it shares.
struct FileIdentity {
  uint64_t device = 0, inode = 0;
  bool operator==(const FileIdentity& o) const { return device == o.device && inode == o.inode; }
};

// A file that a write must never replace, with the words that name it in an error ("input file 'x.npy'").
struct ProtectedFile {
  FileIdentity id;
  std::string what;
};

// The identity of the file `path` names (following links); an error when it cannot be read.
Result<FileIdentity> IdentifyFile(const std::string& path);

enum class ExistingFile {
  kReplace,          // an existing regular file is replaced
  kReplaceIfNpy,     // replaced only when it is a .npy file (starts with NumPy's magic); refused otherwise
};

struct FileWriteOptions {
  std::vector<ProtectedFile> protect;
  ExistingFile existing = ExistingFile::kReplace;
};

// What a successful write did.
enum class FileWriteOutcome { kCreated, kReplaced };

// The checks WriteFileReplacing makes of `path` before writing, alone: lets a caller writing several files
// refuse them all before it writes any.
Status CheckReplaceable(const std::string& path, const FileWriteOptions& options = {});

// Writes the concatenation of `parts` to `path` as described above. Errors are usage errors naming the
// path and the reason; after one, `path` is as it was before the call.
Result<FileWriteOutcome> WriteFileReplacing(const std::string& path, const std::vector<std::string_view>& parts,
                                            const FileWriteOptions& options = {});

}  // namespace webconv
