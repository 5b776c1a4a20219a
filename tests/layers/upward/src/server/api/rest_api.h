// The header the store's file reaches for (tests/layers/upward).
#pragma once
