// The Markdown CLI reference (docs/cli.md), printed by `webconv help --markdown` from the command
// table (commands.h) plus the exit codes and environment variables the program reads.
#pragma once

#include <iosfwd>

namespace webconv::cli {

void PrintCliReferenceMarkdown(std::ostream& os);

}  // namespace webconv::cli
