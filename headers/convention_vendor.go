package headers

// ConventionVendor: counter headers with no default names; Names says them
// all, and a "" name is not read.
const ConventionVendor Convention = "vendor"

var vendorConvention = conventionInfo{name: ConventionVendor, read: readsCounters}
