// The one table of `webconv` commands and their options. The parser takes each command's accepted
// options from it, and the help text (`webconv help COMMAND`, `webconv COMMAND --help`) and the
// generated CLI reference (docs/cli.md, `webconv help --markdown`) are printed from it, so the three
// cannot disagree.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "cli/args.h"

namespace webconv::cli {

struct OptionSpec {
  const char* name = "";    // without the leading "--"
  const char* value = "";   // placeholder for the value ("N", "NAME=FILE"); "" for a flag without value
  bool repeatable = false;  // may be given more than once; every value is kept
  const char* help = "";
};

struct CommandSpec {
  const char* name = "";
  const char* operands = "";  // positional arguments, as in the synopsis ("MODEL", "DIR...")
  const char* summary = "";   // one line
  std::vector<OptionSpec> options;
  const char* details = "";  // further paragraphs (may be empty); '\n' separates lines
};

const std::vector<CommandSpec>& Commands();
// nullptr when there is no such command.
const CommandSpec* FindCommand(const std::string& name);

// Parses argv[2..] with the options `spec` declares (value options and flags).
Result<Args> ParseCommandArgs(const CommandSpec& spec, int argc, char** argv);
// Same, by command name (which must be in the table).
Result<Args> ParseCommandArgs(const char* command, int argc, char** argv);
// True when argv[2..] asks for help (--help or -h).
bool WantsHelp(int argc, char** argv);

// "webconv run MODEL [--input NAME=FILE]... [--backend webgpu|cpu]"
std::string Synopsis(const CommandSpec& spec);
// The short usage of every command (no arguments, unknown command, --help).
void PrintUsage(std::ostream& os);
// One command's synopsis, summary, options and details.
void PrintCommandHelp(const CommandSpec& spec, std::ostream& os);
// `webconv help [COMMAND] [--markdown]`.
int CmdHelp(int argc, char** argv);

}  // namespace webconv::cli
