package scenarios

// Endpoint returns the endpoint with the name, or nil.
func (sc *Scenario) Endpoint(name string) *Endpoint {
	for i := range sc.Endpoints {
		if sc.Endpoints[i].Name == name {
			return &sc.Endpoints[i]
		}
	}
	return nil
}

// Limit returns the limit with the name, or nil.
func (sc *Scenario) Limit(name string) *Limit {
	for i := range sc.Limits {
		if sc.Limits[i].Name == name {
			return &sc.Limits[i]
		}
	}
	return nil
}

// ErrorShape returns the declared shape for the status, or nil.
func (sc *Scenario) ErrorShape(status int) *ErrorShape {
	for i := range sc.Errors {
		if sc.Errors[i].Status == status {
			return &sc.Errors[i]
		}
	}
	return nil
}

// Key returns the key with the id, or nil.
func (a Auth) Key(id string) *Key {
	for i := range a.Keys {
		if a.Keys[i].ID == id {
			return &a.Keys[i]
		}
	}
	return nil
}
