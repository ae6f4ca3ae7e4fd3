"""External services as descriptors: `base` (the Vendor type), `registry` (the one list), `http` and
`client` (what every vendor client shares). See README, Architecture."""
