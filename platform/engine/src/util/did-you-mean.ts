export { didYouMean, editDistance } from '@mesh/validate';
