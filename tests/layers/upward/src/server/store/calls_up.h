// A store header that reaches up into the api: what check_layers.cmake must refuse.
#pragma once

#include "server/api/rest_api.h"
