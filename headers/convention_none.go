package headers

// ConventionNone: the API sends no rate-limit headers (Retry-After is still read).
const ConventionNone Convention = "none"

var noneConvention = conventionInfo{name: ConventionNone, declarable: true}
