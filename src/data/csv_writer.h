// Writing CSV text (RFC 4180) for the files Keel produces: predictions, explanations, rejects.
#pragma once

#include <string>
#include <string_view>

namespace keel {

// Appends `field` as one CSV field: as is when it needs no quoting, else in double quotes with
// inner quotes doubled. A field is quoted when it holds a comma, a quote or a line break, or
// starts or ends with a space (so readers that trim, Keel's among them, keep the spaces).
void AppendCsvField(std::string* out, std::string_view field);

}  // namespace keel
