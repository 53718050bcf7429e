package cluster

// Progress reports how far a long fit has come, through a config's Progress
// callback. It has the fields of strata's segment.Progress, so a method
// package can convert one into the other.
type Progress struct {
	// Method is the function reporting ("kmeans", "kprototypes").
	Method string
	// Stage names the step ("seeding", "iteration", "restart", "swap").
	Stage string
	// Done and Total count the work of the step; Total is 0 when unknown.
	Done, Total int
}
