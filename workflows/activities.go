package workflows

import "github.com/pagewise/pagewise/activities"

// a is how workflow code names activities; the worker registers the real instance.
var a *activities.Activities
