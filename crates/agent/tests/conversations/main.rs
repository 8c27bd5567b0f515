//! The think step over whole conversations: the rules engine in English and Hinglish, and the
//! LLM engine against local fake providers over real HTTP.

mod eval;
mod llm;
mod rules;
mod support;
mod testing;
