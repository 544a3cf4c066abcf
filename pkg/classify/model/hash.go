package model

// Feature hashing: FNV-1a over a one-byte namespace and the feature's
// strings, then a murmur3 finalizer, because FNV alone spreads short keys
// poorly over the low bits that select the bucket.

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// Seed starts a hash for namespace ns.
func Seed(ns byte) uint32 { return (fnvOffset ^ uint32(ns)) * fnvPrime }

// AddString mixes s into h.
func AddString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= fnvPrime
	}
	return h
}

// AddByte mixes one byte (a separator or a flag) into h.
func AddByte(h uint32, b byte) uint32 {
	h ^= uint32(b)
	return h * fnvPrime
}

// Finish spreads the bits of h.
func Finish(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}
