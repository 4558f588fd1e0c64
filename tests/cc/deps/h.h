#pragma once
int h;
